"""The cabinet's accounts: a further лицевой счёт added from the profile (SPEC §3), or removed.

Adding one passes the checks of a registration — the account number and the ФИО against the
billing data, the phone on file where the billing data has one — and, where they all agree (and
the company approves automatically), the account joins the cabinet at once. Otherwise the
request waits in the operators' queue with the registrations; an operator's approval links it
(registration.approve_request), a rejection reaches the resident as a registration's does.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from kabinet.audit.models import AuditEntry
from kabinet.audit.services import record
from kabinet.core import ratelimit
from kabinet.core.models import Company
from kabinet.messaging.services import send_email

from ..models import RegistrationRequest, Resident, ResidentAccount
from ..selectors import registration_state
from .requests import RegistrationError, file_request

User = get_user_model()

ACCOUNT_PENDING = (
    "По этому лицевому счёту уже подана заявка, она проверяется. Проверка занимает от нескольких минут "
    "до трёх суток."
)
ONLY_ACCOUNT = (
    "Это единственный лицевой счёт в вашем кабинете, убрать его нельзя: без счёта кабинет пуст и в него "
    "не войти по номеру. Если кабинет вам больше не нужен, закройте его (внизу страницы профиля)."
)


def add_account(
    *, resident: Resident, account_number: str, full_name: str, ip: str | None, user_agent: str = ""
) -> RegistrationRequest:
    """«Подключить лицевой счёт»: the account joins the cabinet at once when the billing data
    agrees, otherwise the request goes to the operators' queue.

    Limited like a registration: per IP (with the registrations) and per cabinet. A refusal keeps
    its count — each answer tells something of an account number, so none comes free.
    """
    ratelimit.hit(("register_ip", ip or "-"), ("account_cabinet", f"resident:{resident.pk}"))
    with transaction.atomic():
        return _file_account_request(
            RegistrationRequest(
                kind=RegistrationRequest.Kind.ACCOUNT,
                resident=resident,
                full_name=full_name,
                account_number=account_number,
                phone=resident.phone,
                email=resident.user.email,
                ip_address=ip,
                user_agent=user_agent[:500],
            )
        )


def _file_account_request(registration_request: RegistrationRequest) -> RegistrationRequest:
    resident, number = registration_request.resident, registration_request.account_number
    if resident.account_links.filter(account__number=number).exists():
        raise RegistrationError("Этот лицевой счёт уже подключён к вашему кабинету.", field="account_number")
    if registration_state(number) == "registered":
        raise RegistrationError(
            "Этот лицевой счёт подключён к другому личному кабинету. Если это ваша квартира, обратитесь "
            "в управляющую компанию.",
            field="account_number",
        )
    file_request(registration_request, already_pending=ACCOUNT_PENDING)
    automatic = Company.load().auto_approve_registrations and registration_request.fully_matches
    if automatic:
        link_account(registration_request, staff=None)
    record(
        action=AuditEntry.Action.ACCOUNT_ADDED if automatic else AuditEntry.Action.ACCOUNT_REQUESTED,
        actor=resident.user,
        ip=registration_request.ip_address,
        target=number,
        details={"request": registration_request.pk, "automatically": automatic},
    )
    return registration_request


def link_account(registration_request: RegistrationRequest, *, staff) -> None:
    """An approved request for a further account: the account joins the cabinet at once — the
    resident is signed in already, so no code is sent — and the e-mail on file is told."""
    resident = registration_request.resident
    if resident is None or not resident.user.is_active:
        raise RegistrationError(
            "Кабинет, из которого подана заявка, закрыт: такую заявку можно только отклонить."
        )
    now = timezone.now()
    ResidentAccount.objects.create(resident=resident, account=registration_request.account, linked_at=now)
    registration_request.status = RegistrationRequest.Status.COMPLETED
    registration_request.decided_at = registration_request.completed_at = now
    registration_request.decided_by = staff
    registration_request.approved_automatically = staff is None
    registration_request.save()
    if resident.user.email:
        # Also a warning: a resident who did not ask for it learns at once that it happened.
        send_email(
            to=resident.user.email,
            template="account-added",
            context={"resident": resident, "account": registration_request.account},
        )


@transaction.atomic
def remove_account(*, resident: Resident, account_number: str, ip: str | None) -> None:
    """«Убрать из кабинета»: the account leaves the cabinet (its billing data, readings and appeals
    stay with the company, and its holder may register it again). The last one stays: a cabinet
    without an account shows nothing and cannot be signed into by a number — closing it is the
    way out (services/cabinet.close_cabinet)."""
    links = list(resident.account_links.select_for_update().select_related("account"))
    link = next((link for link in links if link.account.number == account_number), None)
    if link is None:
        raise RegistrationError("Этого лицевого счёта нет в вашем кабинете.")
    if len(links) == 1:
        raise RegistrationError(ONLY_ACCOUNT)
    link.delete()
    user = resident.user
    if user.username == account_number:
        # The login must not stay on a number the cabinet no longer holds: its next holder
        # registers it, and the number names their cabinet.
        remaining = next(other.account.number for other in links if other is not link)
        user.username = free_username(remaining)
        user.save(update_fields=["username"])
    record(action=AuditEntry.Action.ACCOUNT_REMOVED, actor=user, ip=ip, target=account_number)


def free_username(account_number: str) -> str:
    # Residents sign in by account number through AccountNumberBackend; the username only has
    # to be unique, and reads best when it is the number itself.
    candidate, n = account_number, 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{account_number}-{n}"
    return candidate
