"""Personal data has a lifetime (152-ФЗ ст. 5 ч. 7, ст. 21 ч. 4: data are kept no longer than
their purpose needs and are destroyed or anonymised when it is reached).

- A registration request that was rejected, or approved but never confirmed by its code, has no
  purpose left after `KABINET_PD_RETENTION_DAYS` (90 by default): its ФИО, phone, e-mail,
  password hash, IP address and browser are removed, and so are those of its consent records.
  The request stays (without personal data) for the queue's statistics and the audit trail.
- A confirmation code (a keyed hash) is deleted a day after it was used, revoked or expired.
- The text of an SMS that carried a code is removed once the SMS is final (sent, delivered, not
  delivered) or, if it failed, once every code it could carry has expired; every other message's
  text and address after `KABINET_OUTBOX_KEEP_DAYS` (90), so the log keeps dates and statuses
  only.

`manage.py purge_personal_data` runs it (deploy/kabinet-purge.timer: nightly) and logs what it did.
Files on disk (ГИС ЖКХ's exports, uploaded billing files) are the billing worker's: it deletes
them hourly when their keeping time is over (kabinet/billing/imports/jobs.py:
`purge_expired_files`).
"""

import logging
from dataclasses import asdict, dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from kabinet.messaging.models import OutboxMessage
from kabinet.residents.models import ConfirmationCode, Consent, RegistrationRequest

log = logging.getLogger("kabinet.jobs")

ANONYMISED = "(данные удалены)"
PURGED_TEXT = "(текст удалён по сроку хранения)"
CODE_KEEP = timedelta(days=1)


@dataclass
class Purged:
    requests: int = 0
    consents: int = 0
    codes: int = 0
    code_messages: int = 0
    old_messages: int = 0

    def summary(self) -> str:
        return (
            f"Обезличено заявок: {self.requests}, согласий к ним: {self.consents}; "
            f"удалено кодов: {self.codes}; удалён текст SMS с кодами: {self.code_messages}, "
            f"старых сообщений: {self.old_messages}."
        )


def stale_requests(*, now) -> QuerySet[RegistrationRequest]:
    cutoff = now - timedelta(days=settings.PD_RETENTION_DAYS)
    Status = RegistrationRequest.Status
    rejected = Q(status=Status.REJECTED) & (
        Q(decided_at__lt=cutoff) | Q(decided_at=None, created_at__lt=cutoff)
    )
    never_confirmed = Q(status=Status.APPROVED, created_at__lt=cutoff)
    return RegistrationRequest.objects.filter(rejected | never_confirmed).exclude(full_name=ANONYMISED)


@transaction.atomic
def purge_personal_data(*, now=None) -> Purged:
    now = now or timezone.now()
    done = Purged()
    requests = stale_requests(now=now)
    ids = list(requests.values_list("pk", flat=True))
    done.consents = Consent.objects.filter(registration_request__in=ids, resident=None).update(
        full_name=ANONYMISED, ip_address=None, user_agent=""
    )
    done.requests = RegistrationRequest.objects.filter(pk__in=ids).update(
        full_name=ANONYMISED,
        phone="",
        email="",
        password_hash="",
        ip_address=None,
        user_agent="",
        status_token="",
    )
    # A never-confirmed request's codes go with it; any other code a day after its end.
    ConfirmationCode.objects.filter(registration_request__in=ids).delete()
    over = now - CODE_KEEP
    done.codes, _ = ConfirmationCode.objects.filter(
        Q(used_at__lt=over) | Q(revoked_at__lt=over) | Q(expires_at__lt=over)
    ).delete()

    final = [OutboxMessage.Status.SENT, OutboxMessage.Status.DELIVERED, OutboxMessage.Status.UNDELIVERED]
    # Not sent, or possibly sent: kept for a resend only while the code in them could still work.
    unsettled = [OutboxMessage.Status.FAILED, OutboxMessage.Status.UNCERTAIN]
    longest_code = timedelta(hours=settings.REGISTRATION_CODE_TTL_HOURS)
    codes = OutboxMessage.objects.filter(is_sensitive=True).exclude(body=PURGED_TEXT)
    done.code_messages = codes.filter(
        Q(status__in=final) | Q(status__in=unsettled, created_at__lt=now - longest_code)
    ).update(body=PURGED_TEXT, html_body="")
    old = OutboxMessage.objects.filter(
        created_at__lt=now - timedelta(days=settings.OUTBOX_KEEP_DAYS),
        status__in=[*final, *unsettled],
    ).exclude(recipient="")
    done.old_messages = old.update(body=PURGED_TEXT, html_body="", subject="", recipient="")
    log.info("personal data purged", extra={"job": "purge_personal_data", **asdict(done)})
    return done
