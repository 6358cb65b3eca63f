"""Sending again from the outbox: a right of its own, and never past the daily SMS cap."""

import threading

import pytest
from django.contrib.auth.models import Permission
from django.db import close_old_connections, transaction
from django.urls import reverse

from kabinet.audit.models import AuditEntry
from kabinet.core.models import User
from kabinet.messaging import limits, services
from kabinet.messaging.models import OutboxMessage
from kabinet.testing import sign_in_staff

OUTBOX = reverse("admin:messaging_outboxmessage_changelist")


def resend(client, messages: list[OutboxMessage]):
    return client.post(OUTBOX, {"action": "retry", "_selected_action": [m.pk for m in messages]}, follow=True)


@pytest.fixture
def log_reader(db) -> User:
    """Reads the SMS and e-mail log, may not send anything again."""
    user = User.objects.create_user("reader", password="reader-pass-2026", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename="view_outboxmessage"))
    return user


@pytest.fixture
def sender(log_reader) -> User:
    log_reader.user_permissions.add(Permission.objects.get(codename="resend_outboxmessage"))
    return User.objects.get(pk=log_reader.pk)  # permissions are cached on the instance


@pytest.mark.django_db
def test_resending_needs_its_own_permission(client, log_reader):
    failed = services.send_sms(phone="+79123456789", text="не ушло")
    OutboxMessage.objects.filter(pk=failed.pk).update(status="failed")
    sign_in_staff(client, log_reader)

    page = client.get(OUTBOX).content.decode()
    response = resend(client, [failed])

    assert "Отправить ещё раз" not in page
    assert response.status_code == 200
    assert OutboxMessage.objects.get(pk=failed.pk).status == "failed"


@pytest.mark.django_db
def test_resending_sms_the_cap_held_back_stays_within_the_cap(client, sender, settings, capsys):
    settings.SMS_DAILY_CAP = 3
    for n in range(3):
        services.send_sms(phone=f"+7999000000{n}", text="код")
    held = [services.send_sms(phone=f"+7999000001{n}", text="сверх лимита") for n in range(2)]
    assert all(m.gateway == limits.SUPPRESSED for m in held)
    sign_in_staff(client, sender)

    response = resend(client, held)

    html = response.content.decode()
    assert "Поставлено в очередь на отправку: 0." in html
    assert "Не отправлено из-за дневного лимита SMS (KABINET_SMS_DAILY_CAP): 2" in html
    assert OutboxMessage.objects.filter(status="queued", channel="sms").count() == 3
    assert limits.sms_sent_today() == 3

    settings.SMS_DAILY_CAP = 4  # the administrator raised the cap: one more may go
    resend(client, held)

    assert OutboxMessage.objects.filter(pk__in=[m.pk for m in held], status="queued").count() == 1
    assert limits.sms_sent_today() == 4
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.MESSAGES_RESENT).first()
    assert entry.actor == sender and entry.details["held_by_cap"] == 1
    with capsys.disabled():
        print("\n[attack] resend past the cap: 2 selected at cap 3 of 3 → 0 sent; at cap 4 → 1 sent")


@pytest.mark.django_db
def test_resending_a_company_mailing_does_not_touch_the_cap(client, sender, settings):
    settings.SMS_DAILY_CAP = 1
    services.send_sms(phone="+79990000000", text="код")
    reminder = services.send_sms(phone="+79990000001", text="Передайте показания", mailing=True)
    OutboxMessage.objects.filter(pk=reminder.pk).update(status="failed")
    sign_in_staff(client, sender)

    resend(client, [reminder])

    assert OutboxMessage.objects.get(pk=reminder.pk).status == "queued"


@pytest.mark.django_db(transaction=True)
def test_simultaneous_sms_never_pass_the_daily_cap_together(settings, capsys):
    settings.SMS_DAILY_CAP = 3
    barrier = threading.Barrier(10)

    def one(n: int) -> None:
        barrier.wait()
        try:
            with transaction.atomic():
                services.send_sms(phone=f"+7999111000{n}", text="код")
        finally:
            close_old_connections()

    threads = [threading.Thread(target=one, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    queued = OutboxMessage.objects.filter(channel="sms", status="queued").count()
    with capsys.disabled():
        print(f"\n[attack] 10 simultaneous SMS against a daily cap of 3: {queued} queued")
    assert queued == 3
    assert OutboxMessage.objects.filter(channel="sms", gateway=limits.SUPPRESSED).count() == 7
