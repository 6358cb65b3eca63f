"""Actions on appeals: a resident writes one, an operator answers it, the resident writes back
(an answer, photos added later) or reopens a closed one within the company's term."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kabinet.billing.models import Account
from kabinet.core import formats
from kabinet.core.errors import Refusal
from kabinet.core.formats import Noun
from kabinet.core.models import Company, User
from kabinet.messaging.services import send_email
from kabinet.residents.models import Resident

from .files import CheckedFile
from .models import Appeal, AppealAttachment, AppealCategory, AppealReply

log = logging.getLogger(__name__)

APPEALS = Noun("обращение", "обращения", "обращений", accusative="обращение")
MESSAGES = Noun("сообщение", "сообщения", "сообщений", accusative="сообщение")


class AppealError(Refusal):
    """An appeal or a reply refused: the account is not the resident's, the hourly limit…"""


def appeals_left_this_hour(resident: Resident) -> int:
    since = timezone.now() - timedelta(hours=1)
    sent = Appeal.objects.filter(resident=resident, created_at__gte=since).count()
    return max(0, settings.APPEALS_PER_HOUR - sent)


@transaction.atomic
def submit_appeal(
    *,
    resident: Resident,
    account: Account,
    category: AppealCategory,
    text: str,
    files: list[CheckedFile],
) -> Appeal:
    """Record the appeal with its files and tell the company by e-mail."""
    if not resident.accounts.filter(pk=account.pk).exists():
        raise AppealError("Этот лицевой счёт не подключён к вашему кабинету.")
    # Lock the resident's row so two quick submissions cannot both pass the hourly limit.
    Resident.objects.select_for_update().filter(pk=resident.pk).first()
    if appeals_left_this_hour(resident) == 0:
        limit = settings.APPEALS_PER_HOUR
        raise AppealError(
            f"За последний час вы уже отправили {limit} {APPEALS.form(limit)} — больше нельзя. "
            "Отправьте это обращение немного позже; текст на странице сохранён.",
            field="text",
        )
    appeal = Appeal.objects.create(account=account, resident=resident, category=category, text=text)
    stored: list[AppealAttachment] = []
    try:
        for checked in files:
            stored.append(_store(appeal, checked))
        _notify_company(appeal)
    except BaseException:
        # The rows roll back with the transaction; the files on disk must go with them.
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    return appeal


def _store(appeal: Appeal, checked: CheckedFile, *, reply: AppealReply | None = None) -> AppealAttachment:
    attachment = AppealAttachment(
        appeal=appeal,
        reply=reply,
        original_name=(checked.upload.name or "файл")[:255],
        content_type=checked.content_type,
        size=checked.upload.size,
    )
    # The stored name gets the extension of what the file really is, not what it was called.
    attachment.file.save(f"file{checked.extension}", checked.upload, save=False)
    attachment.save()
    return attachment


def _notify_company(appeal: Appeal) -> None:
    company = Company.load()
    if not company.email:
        log.warning("Appeal %s: the company has no e-mail address, nobody was notified", appeal.pk)
        return
    admin_url = settings.SITE_URL + reverse("admin:appeals_appeal_change", args=[appeal.pk])
    send_email(
        to=company.email,
        template="appeal-new",
        context={"appeal": appeal, "admin_url": admin_url, "attachments": list(appeal.attachments.all())},
    )


@transaction.atomic
def reply_to_appeal(*, appeal: Appeal, staff: User, text: str, status: str) -> AppealReply:
    """An operator's answer and/or new status in one step; the resident hears of it by e-mail."""
    text = text.strip()
    locked = Appeal.objects.select_for_update(of=("self",)).select_related("resident__user").get(pk=appeal.pk)
    if status not in Appeal.Status.values:
        raise AppealError("Выберите статус из списка.", field="status")
    status_changed = status != locked.status
    if not text and not status_changed:
        raise AppealError("Напишите ответ жителю или измените статус обращения.", field="reply")
    reply = AppealReply.objects.create(
        appeal=locked, author=staff, text=text, status=status if status_changed else ""
    )
    locked.status = status
    fields = ["status", "updated_at"]
    if text and locked.answered_at is None:
        locked.answered_at = reply.created_at
        fields.append("answered_at")
    if text and locked.resident_wrote_at is not None:
        locked.resident_wrote_at = None  # the resident's message is answered
        fields.append("resident_wrote_at")
    if status_changed:
        # The term to reopen counts from the closing; an appeal staff open again is not closed.
        locked.closed_at = reply.created_at if locked.is_closed else None
        fields.append("closed_at")
    locked.save(update_fields=fields)
    appeal.status, appeal.answered_at = locked.status, locked.answered_at
    email = resident_email(locked)
    if email:
        send_email(to=email, template="appeal-reply", context={"appeal": locked, "reply": reply})
    return reply


def resident_email(appeal: Appeal) -> str:
    resident = appeal.resident
    return resident.user.email if resident is not None else ""


# --- The resident writes back ----------------------------------------------------------------


def messages_left_this_hour(resident: Resident) -> int:
    since = timezone.now() - timedelta(hours=1)
    sent = AppealReply.objects.filter(by_resident=True, author=resident.user, created_at__gte=since).count()
    return max(0, settings.APPEAL_MESSAGES_PER_HOUR - sent)


@transaction.atomic
def write_to_company(
    *, resident: Resident, appeal: Appeal, text: str, files: list[CheckedFile]
) -> AppealReply:
    """The resident answers the company on an open appeal, or adds photos later; the company is
    told by e-mail and the inbox shows the appeal as waiting for an answer."""
    locked = _locked_for(resident, appeal)
    if locked.is_closed:
        raise AppealError(
            "Обращение уже закрыто, сообщение не отправлено. Если проблема не решена, возобновите "
            "обращение; текст на странице сохранён.",
            field="text",
        )
    return _resident_message(locked, resident, text.strip(), files)


@transaction.atomic
def reopen_appeal(*, resident: Resident, appeal: Appeal, text: str, files: list[CheckedFile]) -> AppealReply:
    """A closed appeal back to work, within the company's term after its closing
    (Company.appeal_reopen_days): the resident says what is still wrong, the answer is awaited
    anew, with the category's term from now."""
    locked = _locked_for(resident, appeal)
    if not locked.is_closed:
        raise AppealError("Обращение не закрыто: просто напишите сообщение.", field="text")
    until = locked.reopen_until(Company.load().appeal_reopen_days)
    if until is None or timezone.now() > until:
        raise AppealError(reopen_refusal(until), field="text")
    if not text.strip():
        raise AppealError("Опишите, что именно не сделано: без этого обращение не возобновить.", field="text")
    locked.status = Appeal.Status.NEW
    locked.reopened_at = timezone.now()
    locked.closed_at = locked.answered_at = None
    return _resident_message(locked, resident, text.strip(), files, status=Appeal.Status.NEW)


def reopen_refusal(until) -> str:
    if until is None:
        return "Закрытые обращения не возобновляются. Если проблема осталась, напишите новое обращение."
    return (
        f"Возобновить обращение можно было до {formats.date(until)}. Если проблема осталась, напишите "
        "новое обращение."
    )


def _locked_for(resident: Resident, appeal: Appeal) -> Appeal:
    # The resident's row first, as submit_appeal does: two quick messages cannot both pass the limit.
    Resident.objects.select_for_update().filter(pk=resident.pk).first()
    locked = (
        Appeal.objects.select_for_update(of=("self",)).select_related("category", "account").get(pk=appeal.pk)
    )
    if not resident.accounts.filter(pk=locked.account_id).exists():
        raise AppealError("Это обращение не относится к лицевым счетам вашего кабинета.")
    if messages_left_this_hour(resident) == 0:
        limit = settings.APPEAL_MESSAGES_PER_HOUR
        raise AppealError(
            f"За последний час вы уже отправили {limit} {MESSAGES.form(limit)} — больше нельзя. "
            "Отправьте это сообщение немного позже; текст на странице сохранён.",
            field="text",
        )
    return locked


def _resident_message(
    appeal: Appeal, resident: Resident, text: str, files: list[CheckedFile], *, status: str = ""
) -> AppealReply:
    if not text and not files:
        raise AppealError("Напишите сообщение или приложите фотографию.", field="text")
    reply = AppealReply.objects.create(
        appeal=appeal, by_resident=True, author=resident.user, text=text, status=status
    )
    appeal.resident_wrote_at = reply.created_at
    appeal.save()
    stored: list[AppealAttachment] = []
    try:
        for checked in files:
            stored.append(_store(appeal, checked, reply=reply))
        _notify_company_of(reply, stored)
    except BaseException:
        for attachment in stored:  # the rows roll back; the files on disk go with them
            attachment.file.delete(save=False)
        raise
    return reply


def _notify_company_of(reply: AppealReply, attachments: list[AppealAttachment]) -> None:
    company = Company.load()
    if not company.email:
        log.warning("Appeal %s: the company has no e-mail address, nobody was notified", reply.appeal_id)
        return
    admin_url = settings.SITE_URL + reverse("admin:appeals_appeal_change", args=[reply.appeal_id])
    send_email(
        to=company.email,
        template="appeal-message",
        context={"appeal": reply.appeal, "reply": reply, "admin_url": admin_url, "attachments": attachments},
    )
