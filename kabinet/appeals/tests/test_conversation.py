"""The conversation both ways (issue 15, item 4): the resident answers the company, adds a photo
later, reopens a closed appeal within the company's term; operators see it all in the inbox."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kabinet.appeals import selectors
from kabinet.appeals.files import check_file
from kabinet.appeals.models import Appeal, AppealCategory, AppealReply
from kabinet.appeals.services import reply_to_appeal, submit_appeal
from kabinet.messaging.models import OutboxMessage
from kabinet.testing import sign_in_staff

from .conftest import exe_as_jpg, photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def appeal(ivanov, plumbing) -> Appeal:
    return submit_appeal(
        resident=ivanov,
        account=ivanov.accounts.first(),
        category=plumbing,
        text="Течёт стояк в ванной.",
        files=[check_file(photo("стояк.png"), max_bytes=1024 * 1024)],
    )


@pytest.fixture
def signed_in(client, ivanov):
    client.force_login(ivanov.user)
    return client


def write(client, appeal, **data):
    return client.post(reverse("appeals:write", args=[appeal.pk]), data, follow=True)


def reopen(client, appeal, **data):
    return client.post(reverse("appeals:reopen", args=[appeal.pk]), data, follow=True)


def test_the_resident_answers_the_company_and_the_operator_sees_it(
    signed_in, company_with_email, appeal, operator, client
):
    reply_to_appeal(appeal=appeal, staff=operator, text="В какой квартире течёт?", status="in_progress")

    page = write(signed_in, appeal, text="В квартире 5, на кухне.").content.decode()

    assert "Сообщение отправлено в управляющую компанию." in page
    assert "Вы написали" in page and "В квартире 5, на кухне." in page
    letter = OutboxMessage.objects.filter(channel="email", recipient="info@uk.example").latest("pk")
    assert letter.subject == f"Обращение №{appeal.pk}: новое сообщение жителя"
    assert "В квартире 5, на кухне." in letter.body
    appeal.refresh_from_db()
    assert appeal.resident_wrote_at is not None
    assert list(selectors.unanswered_messages(Appeal.objects.all())) == [appeal]


def test_the_inbox_marks_the_residents_message_until_an_operator_answers(
    signed_in, company, appeal, operator, client
):
    write(signed_in, appeal, text="Уточняю: течёт сильнее.")
    staff = type(client)()
    sign_in_staff(staff, operator)

    inbox = staff.get("/admin/appeals/appeal/?answer=resident").content.decode()
    page = staff.get(f"/admin/appeals/appeal/{appeal.pk}/change/").content.decode()

    assert "житель написал" in inbox and f"№{appeal.pk}" in inbox
    assert "Уточняю: течёт сильнее." in page
    reply_to_appeal(appeal=appeal, staff=operator, text="Мастер придёт завтра.", status="in_progress")
    appeal.refresh_from_db()
    assert appeal.resident_wrote_at is None
    assert f"№{appeal.pk}" not in staff.get("/admin/appeals/appeal/?answer=resident").content.decode()


def test_a_photo_is_added_later_without_text(signed_in, company, appeal):
    page = write(signed_in, appeal, text="", files=[photo("после ремонта.png")]).content.decode()

    assert "Сообщение отправлено" in page
    message = AppealReply.objects.get(by_resident=True)
    assert [a.original_name for a in message.attachments.all()] == ["после ремонта.png"]
    assert "после ремонта.png" in page
    file_url = message.attachments.get().get_absolute_url()
    assert signed_in.get(file_url)["Content-Type"] == "image/png"


def test_an_empty_message_is_refused_beside_the_text(signed_in, company, appeal):
    page = write(signed_in, appeal, text="   ").content.decode()

    assert "Напишите сообщение или приложите фотографию." in page
    assert not AppealReply.objects.exists()


def test_a_photo_is_kept_when_the_message_is_refused(signed_in, company, appeal, settings):
    settings.APPEAL_MESSAGES_PER_HOUR = 0
    refused = write(signed_in, appeal, text="Ещё фото.", files=[photo("кухня.png")]).content.decode()

    assert "больше нельзя" in refused and "Ещё фото." in refused
    assert "Уже приложено" in refused and "«кухня.png»" in refused
    settings.APPEAL_MESSAGES_PER_HOUR = 20
    write(signed_in, appeal, text="Ещё фото.")
    message = AppealReply.objects.get(by_resident=True)
    assert [a.original_name for a in message.attachments.all()] == ["кухня.png"]


def test_a_refused_file_is_explained_beside_the_field_and_the_text_kept(signed_in, company, appeal):
    page = write(signed_in, appeal, text="Вот фото.", files=[exe_as_jpg()]).content.decode()

    assert "это программа" in page and "Текст сообщения сохранён" in page
    assert "Вот фото." in page
    assert not AppealReply.objects.exists()


def test_a_closed_appeal_takes_no_message_only_a_reopening(signed_in, company, appeal, operator):
    reply_to_appeal(appeal=appeal, staff=operator, text="Заменили участок стояка.", status="done")

    page = signed_in.get(appeal.get_absolute_url()).content.decode()
    refused = write(signed_in, appeal, text="Опять течёт.").content.decode()

    assert "Проблема не решена?" in page and "Возобновить обращение" in page
    assert reverse("appeals:reopen", args=[appeal.pk]) in page
    assert "Обращение уже закрыто" in refused and "Опять течёт." in refused


def test_the_resident_reopens_a_closed_appeal_and_waits_for_an_answer_anew(
    signed_in, company_with_email, appeal, operator
):
    reply_to_appeal(appeal=appeal, staff=operator, text="Заменили участок стояка.", status="done")

    page = reopen(signed_in, appeal, text="Опять течёт, теперь у соседей снизу.").content.decode()

    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.NEW
    assert appeal.answered_at is None and appeal.closed_at is None and appeal.reopened_at is not None
    assert "Обращение возобновлено." in page and "Вы возобновили обращение" in page
    assert appeal.answer_due_at.date() == (appeal.reopened_at + timedelta(days=10)).date()
    letter = OutboxMessage.objects.filter(channel="email", recipient="info@uk.example").latest("pk")
    assert letter.subject == f"Обращение №{appeal.pk} возобновлено жителем"


def test_reopening_needs_a_reason(signed_in, company, appeal, operator):
    reply_to_appeal(appeal=appeal, staff=operator, text="Готово.", status="done")

    page = reopen(signed_in, appeal, text="").content.decode()

    assert "Опишите, что именно не сделано" in page
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.DONE


def test_reopening_ends_after_the_companys_term(signed_in, company, appeal, operator):
    company.appeal_reopen_days = 14
    company.save()
    reply_to_appeal(appeal=appeal, staff=operator, text="Готово.", status="done")
    Appeal.objects.filter(pk=appeal.pk).update(closed_at=timezone.now() - timedelta(days=15))

    page = signed_in.get(appeal.get_absolute_url()).content.decode()
    refused = reopen(signed_in, appeal, text="Опять течёт.").content.decode()

    assert "Возобновить обращение можно было до" in page and reverse("appeals:new") in page
    assert "Возобновить обращение можно было до" in refused
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.DONE


def test_a_company_that_never_reopens_says_so(signed_in, company, appeal, operator):
    company.appeal_reopen_days = 0
    company.save()
    reply_to_appeal(appeal=appeal, staff=operator, text="Готово.", status="rejected")

    page = signed_in.get(appeal.get_absolute_url()).content.decode()

    assert "Закрытые обращения не возобновляются" in page
    assert reverse("appeals:reopen", args=[appeal.pk]) not in page


def test_another_household_cannot_write_to_the_appeal(client, company, appeal, neighbour):
    client.force_login(neighbour.user)

    assert client.post(reverse("appeals:write", args=[appeal.pk]), {"text": "Привет"}).status_code == 404
    assert client.post(reverse("appeals:reopen", args=[appeal.pk]), {"text": "Привет"}).status_code == 404
    assert not AppealReply.objects.exists()


def test_the_resident_is_still_told_of_the_companys_answers(signed_in, company, appeal, operator):
    write(signed_in, appeal, text="Когда придёт мастер?")

    reply_to_appeal(appeal=appeal, staff=operator, text="Завтра с 10 до 12.", status="in_progress")

    letter = OutboxMessage.objects.filter(channel="email", recipient="ivanov@mail.ru").latest("pk")
    assert "Завтра с 10 до 12." in letter.body


def test_overdue_counts_by_the_categorys_term_and_from_the_reopening(company, appeal, ivanov):
    quick = AppealCategory.objects.create(name="Аварии", answer_days=2)
    slow = submit_appeal(
        resident=ivanov, account=ivanov.accounts.first(), category=quick, text="Нет воды.", files=[]
    )
    three_days_ago = timezone.now() - timedelta(days=3)
    Appeal.objects.filter(pk__in=[appeal.pk, slow.pk]).update(created_at=three_days_ago)

    assert list(selectors.overdue(Appeal.objects.all())) == [slow]  # 2 days passed; 10 not yet

    Appeal.objects.filter(pk=appeal.pk).update(created_at=timezone.now() - timedelta(days=30))
    Appeal.objects.filter(pk=slow.pk).update(reopened_at=timezone.now() - timedelta(days=1))
    assert list(selectors.overdue(Appeal.objects.all())) == [appeal]
    for each in Appeal.objects.all():
        assert each.is_overdue == (each in selectors.overdue(Appeal.objects.all()))
