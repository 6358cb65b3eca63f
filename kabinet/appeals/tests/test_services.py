from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from kabinet.appeals import services
from kabinet.appeals.files import check_file
from kabinet.appeals.models import Appeal, AppealReply
from kabinet.messaging.models import OutboxMessage

from .conftest import pdf, photo

pytestmark = pytest.mark.django_db
MB = 1024 * 1024


def submit(resident, category, *, text="Течёт кран на кухне.", files=()):
    return services.submit_appeal(
        resident=resident,
        account=resident.accounts.get(),
        category=category,
        text=text,
        files=[check_file(f, max_bytes=MB) for f in files],
    )


def test_appeal_is_saved_with_files_under_random_names_in_the_private_directory(
    ivanov, plumbing, company_with_email, private_files
):
    appeal = submit(ivanov, plumbing, files=[photo("кухня.png"), pdf("акт.pdf")])

    first, second = appeal.attachments.all()
    assert (first.original_name, first.content_type) == ("кухня.png", "image/png")
    assert (second.original_name, second.content_type) == ("акт.pdf", "application/pdf")
    stored = Path(first.file.path)
    assert stored.is_file() and stored.is_relative_to(private_files)
    assert not stored.is_relative_to(Path(settings.MEDIA_ROOT))
    assert "кухня" not in stored.name and stored.suffix == ".png"
    assert first.file.name != second.file.name


def test_company_gets_an_email_about_a_new_appeal(ivanov, plumbing, company_with_email):
    appeal = submit(ivanov, plumbing, files=[photo()])

    message = OutboxMessage.objects.get(channel=OutboxMessage.Channel.EMAIL)
    assert message.recipient == "info@uk.example"
    assert f"Новое обращение №{appeal.pk}" in message.subject
    assert "Течёт кран на кухне." in message.body
    assert "1000123456" in message.body
    assert f"/admin/appeals/appeal/{appeal.pk}/change/" in message.body


def test_without_a_company_email_the_appeal_is_still_saved(ivanov, plumbing, company):
    submit(ivanov, plumbing)

    assert Appeal.objects.count() == 1
    assert not OutboxMessage.objects.exists()


def test_resident_cannot_write_about_another_households_account(ivanov, neighbour, plumbing, company):
    with pytest.raises(services.AppealError):
        services.submit_appeal(
            resident=ivanov, account=neighbour.accounts.get(), category=plumbing, text="x", files=[]
        )


def test_hourly_limit_refuses_the_next_appeal_with_a_clear_message(ivanov, plumbing, company, settings):
    settings.APPEALS_PER_HOUR = 2
    submit(ivanov, plumbing)
    submit(ivanov, plumbing)

    with pytest.raises(
        services.AppealError, match="За последний час вы уже отправили 2 обращения — больше нельзя"
    ):
        submit(ivanov, plumbing)
    assert Appeal.objects.count() == 2


def test_hourly_limit_counts_only_the_last_hour(ivanov, plumbing, company, settings):
    settings.APPEALS_PER_HOUR = 1
    old = submit(ivanov, plumbing)
    Appeal.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(minutes=61))

    submit(ivanov, plumbing)

    assert Appeal.objects.count() == 2


def test_reply_changes_status_records_the_answer_and_emails_the_resident(ivanov, plumbing, company, operator):
    appeal = submit(ivanov, plumbing)

    reply = services.reply_to_appeal(
        appeal=appeal, staff=operator, text="Сантехник придёт завтра с 9 до 12.", status="in_progress"
    )

    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.IN_PROGRESS
    assert appeal.answered_at == reply.created_at
    assert (reply.text, reply.status, reply.author) == (
        "Сантехник придёт завтра с 9 до 12.",
        "in_progress",
        operator,
    )
    message = OutboxMessage.objects.get(recipient="ivanov@mail.ru")
    assert message.subject == f"Ответ на обращение №{appeal.pk}"
    assert "Сантехник придёт завтра с 9 до 12." in message.body
    assert "Статус обращения: в работе." in message.body
    assert f"/cabinet/appeals/{appeal.pk}/" in message.body


def test_status_change_alone_is_recorded_and_told_but_is_not_an_answer(ivanov, plumbing, company, operator):
    appeal = submit(ivanov, plumbing)

    reply = services.reply_to_appeal(appeal=appeal, staff=operator, text="  ", status="done")

    appeal.refresh_from_db()
    assert (appeal.status, appeal.answered_at) == ("done", None)
    assert (reply.text, reply.status) == ("", "done")
    assert OutboxMessage.objects.get(recipient="ivanov@mail.ru").subject == (
        f"Обращение №{appeal.pk}: статус «выполнено»"
    )


def test_reply_without_text_or_new_status_is_refused(ivanov, plumbing, company, operator):
    appeal = submit(ivanov, plumbing)

    with pytest.raises(services.AppealError, match="Напишите ответ"):
        services.reply_to_appeal(appeal=appeal, staff=operator, text="", status="new")
    assert not AppealReply.objects.exists()


def test_second_reply_keeps_the_time_of_the_first_answer(ivanov, plumbing, company, operator):
    appeal = submit(ivanov, plumbing)
    first = services.reply_to_appeal(appeal=appeal, staff=operator, text="Приняли.", status="in_progress")

    services.reply_to_appeal(appeal=appeal, staff=operator, text="Готово.", status="done")

    appeal.refresh_from_db()
    assert appeal.answered_at == first.created_at
    assert OutboxMessage.objects.filter(recipient="ivanov@mail.ru").count() == 2


def test_reply_to_a_resident_without_email_sends_nothing(ivanov, plumbing, company, operator):
    ivanov.user.email = ""
    ivanov.user.save()
    appeal = submit(ivanov, plumbing)

    services.reply_to_appeal(appeal=appeal, staff=operator, text="Ответ.", status="done")

    assert not OutboxMessage.objects.exists()
    assert AppealReply.objects.count() == 1


def test_overdue_means_open_unanswered_and_past_the_limit(ivanov, plumbing, company, operator, settings):
    settings.APPEALS_ANSWER_LIMIT_DAYS = 10
    appeal = submit(ivanov, plumbing)
    Appeal.objects.filter(pk=appeal.pk).update(created_at=timezone.now() - timedelta(days=11))
    appeal.refresh_from_db()
    assert appeal.is_overdue

    services.reply_to_appeal(appeal=appeal, staff=operator, text="Извините за задержку.", status="new")

    appeal.refresh_from_db()
    assert not appeal.is_overdue


@pytest.mark.parametrize(
    ("n", "word"),
    [(1, "обращение"), (2, "обращения"), (5, "обращений"), (11, "обращений"), (21, "обращение")],
)
def test_the_limit_message_agrees_with_the_number(n, word):
    assert services.APPEALS.form(n) == word
