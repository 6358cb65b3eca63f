"""The cabinet's own settings in the profile: the e-mail, the reminders, closing the cabinet.

One function per use case and one transaction each; every action leaves an audit entry.
Signing in and the credentials (password, phone, sessions) are in access.py.
"""

from django.db import transaction
from django.utils import timezone

from kabinet.audit.models import AuditEntry
from kabinet.audit.services import record

from .. import selectors
from ..models import Consent, RegistrationRequest, Resident


@transaction.atomic
def change_email(*, resident: Resident, email: str, ip: str | None) -> None:
    user = resident.user
    user.email = email
    user.save(update_fields=["email"])
    record(action=AuditEntry.Action.EMAIL_CHANGED, actor=user, ip=ip, target=resident.full_name)


@transaction.atomic
def set_reminder_channel(*, resident: Resident, channel: str, ip: str | None) -> None:
    resident.reminder_channel = channel
    resident.save(update_fields=["reminder_channel"])
    record(
        action=AuditEntry.Action.NOTIFICATIONS_CHANGED,
        actor=resident.user,
        ip=ip,
        target=resident.full_name,
        details={"reminder_channel": channel},
    )


CLOSED_NAME = "Кабинет закрыт"


@transaction.atomic
def close_cabinet(*, resident: Resident, ip: str | None) -> None:
    """152-ФЗ: consent withdrawn, the cabinet closed, the person's data removed.

    What stays: the consent records with the time of withdrawal (the proof the law asks the
    company to keep), the billing account (it is the company's record of the flat, not the
    cabinet's), and the audit entry. The account can be registered again by its next holder.
    """
    now = timezone.now()
    user = resident.user
    numbers = selectors.account_numbers(resident)
    Consent.objects.filter(resident=resident, withdrawn_at=None).update(withdrawn_at=now)
    RegistrationRequest.objects.filter(resident=resident).update(
        full_name=CLOSED_NAME, phone="", email="", ip_address=None, user_agent="", password_hash=""
    )
    resident.codes.filter(used_at=None, revoked_at=None).update(revoked_at=now)
    resident.account_links.all().delete()
    resident.full_name = CLOSED_NAME
    resident.phone = ""
    resident.save(update_fields=["full_name", "phone"])
    user.username = f"closed-{user.pk}"
    user.first_name = user.last_name = user.email = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    record(
        action=AuditEntry.Action.CABINET_CLOSED,
        actor=user,
        ip=ip,
        target=", ".join(numbers),
        details={"accounts": numbers},
    )
