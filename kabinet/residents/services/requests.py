"""A request in the operators' queue, whatever it asks for: a new cabinet (registration.py) or a
further account for a cabinet (accounts.py). Filed here after the check against the billing data;
the operators' decisions on it are in registration.py.
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from kabinet.core.errors import Refusal

from ..models import RegistrationRequest, ResidentAccount
from ..selectors import billing_check


class RegistrationError(Refusal):
    """A registration or an added account refused: the message shown beside `field`."""


ALREADY_PENDING = (
    "По этому лицевому счёту заявка уже подана и проверяется. Проверка занимает от нескольких минут до "
    "трех суток; код придёт в SMS."
)


def file_request(
    registration_request: RegistrationRequest, *, already_pending: str = ALREADY_PENDING
) -> None:
    """Check the request against the billing data and save it: into the queue, or ahead of
    requests for its account that do not match (see `_contest_squatters`). Call in a transaction."""
    check_against_billing(registration_request)
    contested = _contest_squatters(registration_request)
    try:
        with transaction.atomic():
            registration_request.save()
    except IntegrityError:  # another request for this account arrived a moment earlier
        raise RegistrationError(already_pending, field="account_number") from None
    RegistrationRequest.objects.filter(pk__in=contested).update(contested_by=registration_request)


def check_against_billing(registration_request: RegistrationRequest) -> None:
    result = billing_check(
        account_number=registration_request.account_number,
        full_name=registration_request.full_name,
        phone=registration_request.phone,
        request_id=registration_request.pk,
    )
    registration_request.account = result.account
    registration_request.name_matches = result.name_matches
    registration_request.phone_matches = result.phone_matches
    registration_request.account_free = result.account_free


def _contest_squatters(registration_request: RegistrationRequest) -> list[int]:
    """Requests that wait for this account but do not match the billing data, when this one does.

    Anyone who solves a CAPTCHA can file a request with a made-up name for any account number;
    such a request must not keep the real holder out until an operator gets to it. A request that
    matches the billing data in full goes ahead; the earlier ones are marked contested for the
    operators, who see them in the queue. An earlier request that matches too, or one already
    approved, still stands: then the account is taken.
    """
    if registration_request.account_free or not registration_request.matches_billing:
        return []
    others = list(
        RegistrationRequest.objects.select_for_update().filter(
            account_number=registration_request.account_number, status__in=RegistrationRequest.OPEN
        )
    )
    registered = ResidentAccount.objects.filter(account=registration_request.account).exists()
    if registered or not others or any(o.status != RegistrationRequest.Status.PENDING for o in others):
        return []
    if any(o.matches_billing for o in others):
        return []
    contested = [o.pk for o in others]
    # Before the new request is saved: one open request per account is a database constraint.
    RegistrationRequest.objects.filter(pk__in=contested).update(status=RegistrationRequest.Status.CONTESTED)
    registration_request.account_free = True
    return contested


def request_page(registration_request: RegistrationRequest) -> str:
    """The address of the applicant's page of their request, where a rejection's reason stands."""
    path = reverse("residents:request_status", args=[registration_request.status_token])
    return settings.SITE_URL + path
