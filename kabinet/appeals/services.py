"""Actions on appeals: a resident writes one, an operator answers it."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kabinet.billing.models import Account
from kabinet.core.formats import Noun
from kabinet.core.models import Company, User
from kabinet.messaging.services import send_email
from kabinet.residents.models import Resident

from .files import CheckedFile
from .models import Appeal, AppealAttachment, AppealCategory, AppealReply

log = logging.getLogger(__name__)

APPEALS = Noun("обращение", "обращения", "обращений", accusative="обращение")


class AppealError(Exception):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


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


def _store(appeal: Appeal, checked: CheckedFile) -> AppealAttachment:
    attachment = AppealAttachment(
        appeal=appeal,
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
    locked.save(update_fields=fields)
    appeal.status, appeal.answered_at = locked.status, locked.answered_at
    email = resident_email(locked)
    if email:
        send_email(to=email, template="appeal-reply", context={"appeal": locked, "reply": reply})
    return reply


def resident_email(appeal: Appeal) -> str:
    resident = appeal.resident
    return resident.user.email if resident is not None else ""
