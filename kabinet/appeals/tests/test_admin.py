from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from kabinet.appeals.files import check_file
from kabinet.appeals.models import Appeal, AppealCategory
from kabinet.appeals.services import reply_to_appeal, submit_appeal
from kabinet.core.models import User
from kabinet.messaging.models import OutboxMessage
from kabinet.testing import sign_in_staff

from .conftest import pdf, photo

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:appeals_appeal_changelist")


def appeal_of(resident, category, text="Не работает домофон.", files=()):
    return submit_appeal(
        resident=resident,
        account=resident.accounts.first(),
        category=category,
        text=text,
        files=[check_file(f, max_bytes=1024 * 1024) for f in files],
    )


@contextmanager
def freeze_now(moment: datetime):
    """Django's clock stopped at `moment`: what «today» is depends on it, not on the test's day."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def listed(client, **params) -> list[int]:
    response = client.get(CHANGELIST, params)
    assert response.status_code == 200
    return sorted(a.pk for a in response.context["cl"].result_list)


@pytest.fixture
def inbox(company, ivanov, neighbour, plumbing, operator):
    lift = AppealCategory.objects.create(name="Лифт")
    fresh = appeal_of(ivanov, plumbing, text="Течёт кран.")
    old = appeal_of(neighbour, lift, text="Лифт застревает между этажами.")
    Appeal.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=30))
    answered = appeal_of(neighbour, plumbing, text="Шумят трубы.")
    reply_to_appeal(appeal=answered, staff=operator, text="Проверим.", status="in_progress")
    return {"fresh": fresh.pk, "old": old.pk, "answered": answered.pk, "lift": lift.pk}


def test_inbox_filters_by_status_category_and_answer(client, operator, inbox):
    sign_in_staff(client, operator)

    assert listed(client, status="in_progress") == [inbox["answered"]]
    assert listed(client, category__id__exact=inbox["lift"]) == [inbox["old"]]
    assert listed(client, answer="none") == sorted([inbox["fresh"], inbox["old"]])
    assert listed(client, answer="overdue") == [inbox["old"]]
    assert listed(client, answer="answered") == [inbox["answered"]]


def test_inbox_filters_by_date(client, operator, inbox):
    sign_in_staff(client, operator)
    # What the «Последние 7 дней» link of the date filter asks for.
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    since = str(midnight - timedelta(days=7))

    assert listed(client, created_at__gte=since) == sorted([inbox["fresh"], inbox["answered"]])


def test_inbox_searches_account_number_name_and_text(client, operator, inbox):
    sign_in_staff(client, operator)

    assert listed(client, q="1000123456") == [inbox["fresh"]]
    assert listed(client, q="Петрова") == sorted([inbox["old"], inbox["answered"]])
    assert listed(client, q="застревает") == [inbox["old"]]


def test_overdue_appeal_stands_out_in_the_inbox(client, operator, inbox):
    sign_in_staff(client, operator)

    html = client.get(CHANGELIST).text

    assert "без ответа 30\u00a0дней — просрочено" in html


@pytest.mark.parametrize(
    ("received_utc", "expected"),
    [
        ((2026, 12, 3, 20, 25), "ждёт, поступило вчера"),  # 23:25 in Moscow, yesterday
        ((2026, 12, 3, 21, 5), "ждёт, поступило сегодня"),  # 00:05 in Moscow, today
        ((2026, 12, 1, 9, 0), "ждёт 3\u00a0дня"),
    ],
)
def test_how_long_an_appeal_waits_is_counted_in_local_calendar_days(
    client, operator, ivanov, plumbing, settings, received_utc, expected
):
    settings.TIME_ZONE = "Europe/Moscow"
    appeal = appeal_of(ivanov, plumbing)
    now = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)  # 13:00 in Moscow
    Appeal.objects.filter(pk=appeal.pk).update(created_at=datetime(*received_utc, tzinfo=UTC))
    sign_in_staff(client, operator)

    with freeze_now(now):
        html = client.get(CHANGELIST).text

    assert expected in html


def test_operator_replies_and_changes_status_in_one_step(client, operator, ivanov, inbox):
    sign_in_staff(client, operator)
    url = reverse("admin:appeals_appeal_change", args=[inbox["fresh"]])

    page = client.get(url)
    response = client.post(url, {"status": "done", "reply": "Кран заменили."}, follow=True)

    assert "Ответ жителю" in page.text and "и получит письмо на ivanov@mail.ru" in page.text
    assert response.redirect_chain[-1][0] == url
    assert (
        f"Обращение №{inbox['fresh']}: ответ записан, статус «выполнено»; "
        "письмо жителю отправлено на ivanov@mail.ru." in response.text
    )
    appeal = Appeal.objects.get(pk=inbox["fresh"])
    assert appeal.status == "done" and appeal.answered_at is not None
    assert appeal.replies.get().text == "Кран заменили."
    assert "Кран заменили." in OutboxMessage.objects.get(recipient="ivanov@mail.ru").body
    assert "Кран заменили." in response.text  # now in the conversation on the same page


def test_empty_reply_without_status_change_is_refused_on_the_page(client, operator, inbox):
    sign_in_staff(client, operator)
    url = reverse("admin:appeals_appeal_change", args=[inbox["fresh"]])

    response = client.post(url, {"status": "new", "reply": ""})

    assert response.status_code == 200
    assert "Напишите ответ жителю или измените статус обращения." in response.text
    assert not Appeal.objects.get(pk=inbox["fresh"]).replies.exists()


def test_appeals_cannot_be_added_or_deleted_in_the_back_office(client, operator, inbox):
    sign_in_staff(client, operator)

    assert client.get(reverse("admin:appeals_appeal_add")).status_code == 403
    assert client.get(reverse("admin:appeals_appeal_delete", args=[inbox["fresh"]])).status_code == 403


def test_staff_download_the_attachment_from_the_appeal_page(client, operator, ivanov, plumbing, company):
    appeal = appeal_of(ivanov, plumbing, files=[photo("подвал.png")])
    attachment = appeal.attachments.get()
    sign_in_staff(client, operator)
    url = reverse("admin:appeals_appeal_attachment", args=[appeal.pk, attachment.pk])

    page = client.get(reverse("admin:appeals_appeal_change", args=[appeal.pk])).text
    response = client.get(url)

    assert url in page and "подвал.png" in page
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("sent_as", "saved_as"),
    [("акт.html", "акт.pdf"), ("скан", "скан.pdf"), ("И.И. Иванов, акт", "И.И. Иванов, акт.pdf")],
)
def test_a_download_is_named_by_its_checked_type_not_by_the_sender(
    client, operator, ivanov, plumbing, company, sent_as, saved_as
):
    from urllib.parse import quote

    appeal = appeal_of(ivanov, plumbing, files=[pdf(sent_as)])
    attachment = appeal.attachments.get()
    sign_in_staff(client, operator)

    response = client.get(reverse("admin:appeals_appeal_attachment", args=[appeal.pk, attachment.pk]))

    assert response["Content-Type"] == "application/pdf"
    assert f"filename*=utf-8''{quote(saved_as)}" in response["Content-Disposition"]


def test_attachment_is_refused_to_staff_without_appeal_permissions(client, ivanov, plumbing, company):
    appeal = appeal_of(ivanov, plumbing, files=[photo()])
    clerk = User.objects.create_user("clerk", password="clerk-pass-2026", is_staff=True)
    sign_in_staff(client, clerk)

    response = client.get(
        reverse("admin:appeals_appeal_attachment", args=[appeal.pk, appeal.attachments.get().pk])
    )

    assert response.status_code == 403


def test_attachment_is_refused_to_a_resident(client, ivanov, plumbing, company):
    appeal = appeal_of(ivanov, plumbing, files=[photo()])
    client.force_login(ivanov.user)

    response = client.get(
        reverse("admin:appeals_appeal_attachment", args=[appeal.pk, appeal.attachments.get().pk])
    )

    assert response.status_code == 302  # to the admin's log-in page
    assert "/admin/login/" in response["Location"]


def test_demo_operator_group_can_answer_appeals(client, db):
    call_command("load_demo_data")
    operator = User.objects.get(username="operator")
    appeal = Appeal.objects.get(status="new")
    sign_in_staff(client, operator)

    response = client.post(
        reverse("admin:appeals_appeal_change", args=[appeal.pk]),
        {"status": "in_progress", "reply": "Слесарь придёт в четверг."},
        follow=True,
    )

    assert "ответ записан" in response.text
    assert Group.objects.get(name="Операторы").permissions.filter(codename="change_appeal").exists()


def test_categories_are_edited_in_the_back_office(client, operator, plumbing):
    sign_in_staff(client, operator)

    response = client.post(
        reverse("admin:appeals_appealcategory_add"), {"name": "Домофон", "position": 5, "is_active": "on"}
    )

    assert response.status_code == 302
    assert AppealCategory.objects.filter(name="Домофон").exists()


def test_staff_who_may_only_view_appeals_see_them_but_cannot_answer(client, ivanov, plumbing, company):
    from django.contrib.auth.models import Permission

    appeal = appeal_of(ivanov, plumbing, text="Просьба покрасить скамейку.", files=[photo("скамейка.png")])
    viewer = User.objects.create_user("viewer", password="viewer-pass-2026", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_appeal"))
    sign_in_staff(client, viewer)
    url = reverse("admin:appeals_appeal_change", args=[appeal.pk])

    page = client.get(url)
    post = client.post(url, {"status": "done", "reply": "Покрасили."})
    download = client.get(
        reverse("admin:appeals_appeal_attachment", args=[appeal.pk, appeal.attachments.get().pk])
    )

    assert page.status_code == 200
    assert "Просьба покрасить скамейку." in page.text
    assert "Сохранить ответ и статус" not in page.text
    assert post.status_code == 403
    assert download.status_code == 200
    assert not appeal.replies.exists()
