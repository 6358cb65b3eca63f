"""Registration, from «Отправить заявку» to the confirmed code.

Every function here is one use case and one transaction; the SMS and e-mail it causes are
written to the outbox inside that transaction.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kabinet.audit.models import AuditEntry
from kabinet.audit.services import record
from kabinet.core import ratelimit
from kabinet.core.models import Company
from kabinet.core.normalize import phone_masked
from kabinet.messaging import limits
from kabinet.messaging.services import send_email, send_sms
from kabinet.messaging.sms import first_that_fits

from .. import codes
from ..models import (
    OPERATOR_MARK,
    ConfirmationCode,
    Consent,
    PolicyDocument,
    RegistrationRequest,
    Resident,
    ResidentAccount,
)
from .accounts import free_username, link_account
from .codes import CodeOutcome, issue_code, try_code
from .requests import RegistrationError, check_against_billing, file_request, request_page

User = get_user_model()
# Letters of the applicant's page address: no 0/O or 1/l to misread when typed from an SMS.
TOKEN_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
TOKEN_LENGTH = 10  # about 50 bits: nobody finds another's page by trying addresses


def submit_registration(
    *,
    full_name: str,
    account_number: str,
    phone: str,
    email: str,
    password: str,
    ip_address: str | None,
    user_agent: str,
) -> RegistrationRequest:
    """Accept «Заявка на регистрацию»; approve it at once when the billing data agrees.

    Counted first against the SMS limits (an approval sends a code); a refused request gives its
    counts back.
    """
    limits.refuse_if_cap_reached()
    ticket = ratelimit.hit_sms(ip=ip_address, phone=phone, account=account_number)
    registration_request = RegistrationRequest(
        full_name=full_name,
        account_number=account_number,
        phone=phone,
        email=email,
        password_hash=make_password(password),
        ip_address=ip_address,
        user_agent=user_agent[:500],
    )
    with ticket.given_back_on(RegistrationError), transaction.atomic():
        return _file_request(registration_request)


def _file_request(registration_request: RegistrationRequest) -> RegistrationRequest:
    documents = [PolicyDocument.current(kind) for kind in PolicyDocument.Kind.values]
    if None in documents:
        raise RegistrationError(
            "Регистрация временно недоступна: не опубликованы документы о персональных данных."
        )
    file_request(registration_request)
    operator = Company.load().operator_details
    Consent.objects.bulk_create(
        Consent(
            document=document,
            registration_request=registration_request,
            full_name=registration_request.full_name,
            ip_address=registration_request.ip_address,
            user_agent=registration_request.user_agent,
            operator_details=operator if OPERATOR_MARK in document.text else "",
        )
        for document in documents
    )
    if Company.load().auto_approve_registrations and registration_request.fully_matches:
        _approve(registration_request, staff=None)
        record(
            action=AuditEntry.Action.REQUEST_APPROVED,
            target=str(registration_request),
            ip=registration_request.ip_address,
            details={"account": registration_request.account_number, "automatically": True},
        )
    else:
        send_email(
            to=registration_request.email,
            template="registration-received",
            context={"request": registration_request},
        )
    return registration_request


@transaction.atomic
def approve_request(*, registration_request: RegistrationRequest, staff) -> RegistrationRequest:
    """An operator approves a request after checking it: the applicant gets the code by SMS, or,
    for a further account of a cabinet, the account joins the cabinet."""
    registration_request = RegistrationRequest.objects.select_for_update().get(pk=registration_request.pk)
    if registration_request.status != RegistrationRequest.Status.PENDING:
        raise RegistrationError(f"Заявка уже обработана: {registration_request.get_status_display()}.")
    check_against_billing(registration_request)
    if registration_request.account is None:
        raise RegistrationError(
            "Лицевой счёт не найден в данных начислений: такую заявку можно только отклонить."
        )
    if not registration_request.account_free:
        raise RegistrationError("Этот лицевой счёт уже зарегистрирован или по нему есть другая заявка.")
    if registration_request.adds_account:
        link_account(registration_request, staff=staff)
    else:
        _approve(registration_request, staff=staff)
    record(
        action=AuditEntry.Action.REQUEST_APPROVED,
        actor=staff,
        target=str(registration_request),
        details={"account": registration_request.account_number, "kind": registration_request.kind},
    )
    return registration_request


def _approve(registration_request: RegistrationRequest, *, staff) -> None:
    registration_request.status = RegistrationRequest.Status.APPROVED
    registration_request.decided_at = timezone.now()
    registration_request.decided_by = staff
    registration_request.approved_automatically = staff is None
    registration_request.save()
    _send_code(registration_request)
    send_email(
        to=registration_request.email,
        template="registration-approved",
        context={"request": registration_request, "phone": phone_masked(registration_request.phone)},
    )


@transaction.atomic
def reject_request(*, registration_request: RegistrationRequest, staff, reason: str) -> RegistrationRequest:
    """Refuse with a reason; the applicant learns it by SMS and e-mail."""
    reason = reason.strip()
    if not reason:
        raise RegistrationError(
            "Укажите причину отказа: она придёт заявителю в SMS и письме.", field="reason"
        )
    registration_request = RegistrationRequest.objects.select_for_update().get(pk=registration_request.pk)
    if registration_request.status not in (*RegistrationRequest.OPEN, RegistrationRequest.Status.CONTESTED):
        raise RegistrationError(f"Заявка уже обработана: {registration_request.get_status_display()}.")
    registration_request.status = RegistrationRequest.Status.REJECTED
    registration_request.decided_at = timezone.now()
    registration_request.decided_by = staff
    registration_request.rejection_reason = reason
    registration_request.password_hash = ""
    registration_request.status_token = "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))
    registration_request.save()
    registration_request.codes.filter(used_at=None, revoked_at=None).update(revoked_at=timezone.now())
    # A reason does not fit an SMS whole, and a cut one misleads: the SMS says where to read it.
    page = request_page(registration_request)
    where = page.split("://", 1)[-1]
    send_sms(
        phone=registration_request.phone,
        text=f"{_request_name(registration_request)} отклонена. Причина — в письме и на {where}",
    )
    send_email(
        to=registration_request.email,
        template="registration-rejected",
        context={"request": registration_request, "request_page": page},
    )
    record(
        action=AuditEntry.Action.REQUEST_REJECTED,
        actor=staff,
        target=str(registration_request),
        details={"account": registration_request.account_number, "reason": reason},
    )
    return registration_request


def _request_name(registration_request: RegistrationRequest) -> str:
    if registration_request.adds_account:
        return "Заявка на подключение лицевого счёта"
    return "Заявка на регистрацию"


def _send_code(registration_request: RegistrationRequest) -> ConfirmationCode:
    confirmation, code = issue_code(
        purpose=ConfirmationCode.Purpose.REGISTRATION,
        phone=registration_request.phone,
        lifetime=timedelta(hours=settings.REGISTRATION_CODE_TTL_HOURS),
        registration_request=registration_request,
    )
    page = settings.SITE_URL.split("://", 1)[-1] + reverse("residents:confirm_code")
    send_sms(
        phone=registration_request.phone,
        # Whoever asks for the code (a «bank», a «company employee») is a fraudster: the SMS says so.
        text=first_that_fits(
            f"Код подтверждения регистрации: {code}. Никому не сообщайте код. Введите на странице {page}",
            f"Код подтверждения регистрации: {code}. Никому не сообщайте код. {page}",
            f"Код подтверждения регистрации: {code}. Не сообщайте никому. {page}",
        ),
        sensitive=True,
    )
    return confirmation


class CodeCooldown(RegistrationError):
    def __init__(self, seconds: int) -> None:
        super().__init__(f"Новый код можно запросить через {seconds} с.", field="code")
        self.seconds = seconds


def request_new_code(*, registration_request: RegistrationRequest, ip: str | None) -> ConfirmationCode:
    """Send a fresh code for an approved request, at most once a cooldown period.

    Counted first against the SMS limits; a refusal (the cooldown, say) gives the counts back.
    """
    limits.refuse_if_cap_reached()
    ticket = ratelimit.hit_sms(
        ip=ip, phone=registration_request.phone, account=registration_request.account_number
    )
    with ticket.given_back_on(RegistrationError):
        return _new_code(registration_request)


@transaction.atomic
def _new_code(registration_request: RegistrationRequest) -> ConfirmationCode:
    registration_request = RegistrationRequest.objects.select_for_update().get(pk=registration_request.pk)
    if registration_request.status != RegistrationRequest.Status.APPROVED:
        raise RegistrationError(
            "Для этой заявки код не нужен: " + registration_request.get_status_display() + "."
        )
    last = registration_request.codes.order_by("-created_at").first()
    if last is not None:
        ready_at = last.created_at + timedelta(seconds=settings.REGISTRATION_CODE_RESEND_SECONDS)
        wait = (ready_at - timezone.now()).total_seconds()
        if wait > 0:
            raise CodeCooldown(int(wait) + 1)
    return _send_code(registration_request)


def confirm_registration(
    *, registration_request: RegistrationRequest, code: str, ip: str | None
) -> RegistrationRequest:
    """The right code completes the registration; a wrong one uses up an attempt.

    Every entry also counts against the code guesses from its IP, all codes together.
    """
    ratelimit.hit(("code_ip", ip or "-"))
    with transaction.atomic():
        registration_request = RegistrationRequest.objects.select_for_update().get(pk=registration_request.pk)
        if registration_request.status != RegistrationRequest.Status.APPROVED:
            raise RegistrationError(
                "Эта заявка не ждёт кода: " + registration_request.get_status_display() + "."
            )
        outcome, left = try_code(registration_request.codes.all(), codes.clean_code(code))
        if outcome is CodeOutcome.OK:
            _complete(registration_request)
            return registration_request
    # Outside the transaction: the used-up attempt above stays counted.
    message = outcome.value
    if outcome is CodeOutcome.WRONG and left:
        message += f" Осталось попыток: {left}."
    raise RegistrationError(message, field="code")


def _complete(registration_request: RegistrationRequest) -> None:
    account = registration_request.account
    if account is None or ResidentAccount.objects.filter(account=account).exists():
        raise RegistrationError("Этот лицевой счёт уже зарегистрирован. Обратитесь в управляющую компанию.")
    user = User.objects.create(
        username=free_username(registration_request.account_number),
        email=registration_request.email,
        password=registration_request.password_hash,
    )
    resident = Resident.objects.create(
        user=user, full_name=registration_request.full_name, phone=registration_request.phone
    )
    ResidentAccount.objects.create(resident=resident, account=account)
    registration_request.consents.update(resident=resident)
    registration_request.status = RegistrationRequest.Status.COMPLETED
    registration_request.completed_at = timezone.now()
    registration_request.resident = resident
    registration_request.password_hash = ""  # the user row holds it now
    registration_request.save()
