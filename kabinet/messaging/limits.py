"""The site-wide daily SMS cap, against SMS pumping.

Only SMS that visitors can cause count (codes, notices); the company's own mailings (meter-reading
reminders, `send_sms(mailing=True)`) are bounded by the number of residents and pass. Counted
from the outbox itself, so every web and worker process sees the same figure. When the
cap is reached `send_sms` keeps the message as not sent (the log shows why), the pages that
send codes refuse with a clear message, and the administrator gets one e-mail a day.
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kabinet.core.ratelimit import RateLimited, wait_text

from .models import OutboxMessage

SUPPRESSED = "cap"  # OutboxMessage.gateway of an SMS the cap stopped
ALERT_SUBJECT = "Kabinet: достигнут дневной лимит SMS"
CAP_MESSAGE = (
    "Отправка SMS временно приостановлена: сайт исчерпал дневной лимит сообщений. "
    "Попробуйте снова {wait} или обратитесь в управляющую компанию."
)


def _day_start() -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate(), time.min))


def sms_sent_today() -> int:
    return (
        OutboxMessage.objects.filter(
            channel=OutboxMessage.Channel.SMS, is_mailing=False, created_at__gte=_day_start()
        )
        .exclude(gateway=SUPPRESSED)
        .count()
    )


def cap_reached() -> bool:
    cap = settings.SMS_DAILY_CAP
    return bool(cap) and sms_sent_today() >= cap


def suppress(message: OutboxMessage) -> None:
    """Keep the SMS as not sent: the cap is reached. Called by send_sms before saving."""
    message.status = OutboxMessage.Status.FAILED
    message.gateway = SUPPRESSED
    message.last_error = "Не отправлено: достигнут дневной лимит SMS (KABINET_SMS_DAILY_CAP)."
    alert_administrator()


def alert_administrator() -> None:
    """One e-mail a day to the administrator, through the outbox like every other letter."""
    recipients = settings.SMS_CAP_ALERT_EMAILS or [email for _, email in settings.ADMINS]
    already = OutboxMessage.objects.filter(
        channel=OutboxMessage.Channel.EMAIL, subject=ALERT_SUBJECT, created_at__gte=_day_start()
    ).exists()
    if already or not recipients:
        return
    body = (
        f"Сегодня сайт отправил {sms_sent_today()} SMS — это дневной лимит "
        f"(KABINET_SMS_DAILY_CAP = {settings.SMS_DAILY_CAP}). До конца суток новые SMS не отправляются: "
        "коды регистрации и восстановления пароля не уходят.\n\n"
        "Если это всплеск настоящих заявок, увеличьте лимит; если нет — возможно, кто-то "
        "накручивает отправку SMS: проверьте журнал SMS и журнал действий в административной части."
    )
    OutboxMessage.objects.bulk_create(
        OutboxMessage(channel=OutboxMessage.Channel.EMAIL, recipient=to, subject=ALERT_SUBJECT, body=body)
        for to in recipients
    )


def refuse_if_cap_reached() -> None:
    """For pages about to send a code: a clear refusal instead of a code that never comes."""
    if cap_reached():
        with transaction.atomic():
            alert_administrator()
        tomorrow = _day_start() + timedelta(days=1)
        seconds = int((tomorrow - timezone.now()).total_seconds())
        raise RateLimited(CAP_MESSAGE.format(wait=wait_text(seconds)), retry_after=seconds)
