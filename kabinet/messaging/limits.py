"""The site-wide daily SMS cap, against SMS pumping.

Only SMS that visitors can cause count (codes, notices); the company's own mailings (meter-reading
reminders, `send_sms(mailing=True)`) are bounded by the number of residents and pass. Each SMS
takes its place from today's `SmsDay` row by one conditional UPDATE inside the transaction that
writes it: simultaneous requests cannot pass the cap together, and every web and worker process
sees the same figure. When the cap is reached `send_sms` keeps the message as not sent (the log
shows why), the pages that send codes refuse with a clear message, and the administrator gets
one e-mail a day.
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kabinet.core import ratelimit

from .models import OutboxMessage, SmsDay

SUPPRESSED = "cap"  # OutboxMessage.gateway of an SMS the cap stopped
ALERT_SUBJECT = "Kabinet: достигнут дневной лимит SMS"


def _day_start() -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate(), time.min))


def sms_sent_today() -> int:
    return SmsDay.objects.filter(day=timezone.localdate()).values_list("sent", flat=True).first() or 0


def cap_reached() -> bool:
    cap = settings.SMS_DAILY_CAP
    return bool(cap) and sms_sent_today() >= cap


def take_place() -> bool:
    """Count one visitor SMS against today's cap; False when the cap is already reached.

    Call inside the transaction that writes the SMS: a rollback gives the place back.
    """
    today = timezone.localdate()
    SmsDay.objects.bulk_create([SmsDay(day=today)], ignore_conflicts=True)
    taken = SmsDay.objects.filter(day=today)
    if settings.SMS_DAILY_CAP:
        taken = taken.filter(sent__lt=settings.SMS_DAILY_CAP)
    return taken.update(sent=F("sent") + 1) == 1


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


def seconds_to_midnight() -> int:
    tomorrow = _day_start() + timedelta(days=1)
    return max(1, int((tomorrow - timezone.now()).total_seconds()))


def refuse_if_cap_reached() -> None:
    """For pages about to send a code: a clear refusal instead of a code that never comes."""
    if cap_reached():
        with transaction.atomic():
            alert_administrator()
        raise ratelimit.refusal("sms_day", seconds_to_midnight())
