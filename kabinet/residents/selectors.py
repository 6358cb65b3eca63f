import contextlib
import functools
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from kabinet.billing.models import Account
from kabinet.core import normalize, rows

from . import codes
from .models import ConfirmationCode, RegistrationRequest, Resident, ResidentAccount


@dataclass(frozen=True)
class BillingCheck:
    """What the billing data says about a request: the operators' queue shows each point."""

    account: Account | None
    name_matches: bool
    phone_matches: bool | None  # None: the billing data holds no phone for the account
    account_free: bool


def billing_check(
    *, account_number: str, full_name: str, phone: str, request_id: int | None = None
) -> BillingCheck:
    account = Account.objects.filter(number=account_number).first()
    if account is None:
        return BillingCheck(account=None, name_matches=False, phone_matches=None, account_free=True)
    return BillingCheck(
        account=account,
        name_matches=account.holder_matches(full_name),
        phone_matches=(account.phone == phone) if account.phone else None,
        account_free=registration_state(account_number, request_id=request_id) is None,
    )


def registration_state(account_number: str, *, request_id: int | None = None) -> str | None:
    """Why the account is taken: "registered", or the status of another open request
    ("pending", "approved"); None when the account is free for the request `request_id`."""
    if ResidentAccount.objects.filter(account__number=account_number).exists():
        return "registered"
    return (
        RegistrationRequest.objects.filter(account_number=account_number, status__in=RegistrationRequest.OPEN)
        .exclude(pk=request_id)
        .values_list("status", flat=True)
        .first()
    )


def approved_request(account_number: str) -> RegistrationRequest | None:
    return RegistrationRequest.objects.filter(
        account_number=account_number, status=RegistrationRequest.Status.APPROVED
    ).first()


# Every cabinet page reads the resident's accounts (the frame's account switcher): SQL written
# out once (kabinet.core.rows) costs a fraction of the same query built by the ORM on each page.
@functools.cache
def _resident_accounts_sql(vendor: str) -> str:
    return (
        f"SELECT {rows.of(Account).columns('a')} FROM billing_account a JOIN residents_residentaccount l "
        "ON l.account_id = a.id WHERE l.resident_id = %s ORDER BY a.number"
    )


def resident_accounts(resident: Resident) -> list[Account]:
    with connection.cursor() as cursor:
        cursor.execute(_resident_accounts_sql(connection.vendor), [resident.pk])
        found = cursor.fetchall()
    return [rows.of(Account).instance(row) for row in found]


def find_resident(login: str) -> Resident | None:
    """The open cabinet a login names: an account number of it, or failing that its phone.

    One query whatever the login turns out to be, so that the time of the answer does not tell
    whether the login has a cabinet («Забыли пароль?» must not).
    """
    number = normalize.account_number(login)
    condition = Q(account_links__account__number=number)
    with contextlib.suppress(normalize.InvalidPhone):  # an account number that is not a phone
        condition |= Q(phone=normalize.phone_e164(login))
    by_number = ResidentAccount.objects.filter(resident=OuterRef("pk"), account__number=number)
    found = list(
        Resident.objects.filter(condition, user__is_active=True)
        .annotate(by_number=Exists(by_number))
        .select_related("user")
        .distinct()[:3]
    )
    for resident in found:
        if resident.by_number:
            return resident
    # A phone shared by two cabinets names neither: the person is asked for the account number.
    return found[0] if len(found) == 1 else None


def rejected_request(token: str) -> RegistrationRequest | None:
    """The rejected request whose page has this address; an empty key opens nothing."""
    if not token:
        return None
    return RegistrationRequest.objects.filter(
        status_token=token, status=RegistrationRequest.Status.REJECTED
    ).first()


def registration_request(pk: int | None) -> RegistrationRequest | None:
    """The request this session filed (its id is kept in the session), if any."""
    return RegistrationRequest.objects.filter(pk=pk).first() if pk else None


def account_numbers(resident: Resident) -> list[str]:
    return [link.account.number for link in resident.account_links.select_related("account")]


def reset_codes(login: str, resident: Resident | None) -> QuerySet[ConfirmationCode]:
    """The password-reset codes of the login's cabinet, or of its decoy when it has none."""
    found = ConfirmationCode.objects.filter(purpose=ConfirmationCode.Purpose.PASSWORD_RESET)
    if resident is not None:
        return found.filter(resident=resident)
    return found.filter(resident=None, login_digest=codes.login_digest(login))


def pending_phone(resident: Resident) -> str | None:
    """The new phone waiting for its code, if a live code was sent."""
    pending = (
        resident.codes.filter(purpose=ConfirmationCode.Purpose.PHONE_CHANGE, used_at=None, revoked_at=None)
        .order_by("-created_at")
        .first()
    )
    return pending.phone if pending and not pending.is_expired else None


def account_requests(resident: Resident) -> list[RegistrationRequest]:
    """The resident's requests for further accounts that the profile shows: those waiting for an
    operator, and rejected ones of the last month (with the page of the reason)."""
    since = timezone.now() - timedelta(days=30)
    return list(
        RegistrationRequest.objects.filter(resident=resident, kind=RegistrationRequest.Kind.ACCOUNT)
        .filter(
            Q(status__in=(RegistrationRequest.Status.PENDING, RegistrationRequest.Status.CONTESTED))
            | Q(status=RegistrationRequest.Status.REJECTED, decided_at__gte=since)
        )
        .order_by("-created_at")
    )
