from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from kabinet.core.models import User
from kabinet.messaging import limits
from kabinet.messaging.models import OutboxMessage
from kabinet.messaging.services import send_sms
from kabinet.meters.models import ReadingReminder
from kabinet.meters.services import ReminderRound
from kabinet.residents.models import ReminderChannel, Resident, ResidentAccount

from .factories import MeterFactory, ReadingFactory

pytestmark = pytest.mark.django_db


def remind() -> str:
    out = StringIO()
    call_command("send_reading_reminders", stdout=out)
    return out.getvalue()


def resident_with_meter(account, *, channel: str, email: str = "") -> Resident:
    user = User.objects.create_user(account.number, email=email)
    resident = Resident.objects.create(
        user=user, full_name=account.holder_name, phone=account.phone, reminder_channel=channel
    )
    ResidentAccount.objects.create(resident=resident, account=account)
    MeterFactory(account=account)
    return resident


def test_when_the_window_opens_each_resident_is_reminded_once_by_their_channel(
    company, window_open, ivanov_account, neighbour_account
):
    resident_with_meter(ivanov_account, channel=ReminderChannel.SMS)
    resident_with_meter(neighbour_account, channel=ReminderChannel.EMAIL, email="petrova@mail.ru")

    first = remind()
    second = remind()

    assert "Напоминания: SMS 1, писем 1, пропущено 0." in first
    assert "Напоминания: SMS 0, писем 0" in second
    sms = OutboxMessage.objects.get(channel=OutboxMessage.Channel.SMS)
    assert sms.recipient == "+79123456789"
    assert "Передайте показания счётчиков в личном кабинете до" in sms.body
    email = OutboxMessage.objects.get(channel=OutboxMessage.Channel.EMAIL)
    assert email.recipient == "petrova@mail.ru"
    assert "/cabinet/meters/" in email.body
    assert ReadingReminder.objects.count() == 2


def test_no_reminder_for_those_who_submitted_or_said_no_or_while_the_window_is_closed(
    company, window_open, ivanov_account, neighbour_account
):
    done = resident_with_meter(ivanov_account, channel=ReminderChannel.SMS)
    ReadingFactory(meter=done.accounts.get().meters.get(), period=timezone.localdate().replace(day=1))
    resident_with_meter(neighbour_account, channel=ReminderChannel.NONE)

    assert "SMS 0, писем 0" in remind()
    assert not OutboxMessage.objects.exists()


def test_closed_window_sends_nothing(company, window_closed, ivanov_account):
    resident_with_meter(ivanov_account, channel=ReminderChannel.SMS)

    assert "SMS 0, писем 0" in remind()
    assert not OutboxMessage.objects.exists()


def test_reminders_pass_the_daily_sms_cap_and_do_not_use_it_up(
    settings, company, window_open, ivanov_account
):
    settings.SMS_DAILY_CAP = 1
    resident_with_meter(ivanov_account, channel=ReminderChannel.SMS)

    remind()
    code = send_sms(phone="+79990000001", text="Код 123456", sensitive=True)

    reminder = OutboxMessage.objects.get(recipient="+79123456789")
    assert reminder.status == OutboxMessage.Status.QUEUED
    assert code.status == OutboxMessage.Status.QUEUED  # the reminder did not use the cap up
    assert limits.sms_sent_today() == 1


def test_the_reminders_schedule_sends_in_the_daytime_only_and_once_per_interval(monkeypatch):
    from datetime import datetime

    from kabinet.meters.management.commands.send_reading_reminders import Command

    command = Command(stdout=StringIO())
    command.last, command.every = 0.0, 900
    rounds = []
    monkeypatch.setattr(
        "kabinet.meters.management.commands.send_reading_reminders.send_reading_reminders",
        lambda: rounds.append(1) or ReminderRound(),
    )
    night = timezone.make_aware(datetime(2026, 11, 20, 23, 30))
    day = timezone.make_aware(datetime(2026, 11, 20, 10, 0))
    monkeypatch.setattr(timezone, "localtime", lambda *a: night)
    command.round()
    assert rounds == []  # no SMS at night
    monkeypatch.setattr(timezone, "localtime", lambda *a: day)
    command.round()
    command.round()  # within the same 15 minutes
    assert rounds == [1]
