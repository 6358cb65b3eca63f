import pytest
from django.urls import reverse

from kabinet.appeals.files import check_file
from kabinet.appeals.models import Appeal
from kabinet.appeals.services import submit_appeal
from kabinet.billing.tests.factories import AccountFactory
from kabinet.residents.models import ResidentAccount
from kabinet.testing import sign_in_staff

from .conftest import exe_as_jpg, pdf, photo

pytestmark = pytest.mark.django_db


def appeal_of(resident, category, text="Не работает домофон.", account=None, files=()):
    return submit_appeal(
        resident=resident,
        account=account or resident.accounts.first(),
        category=category,
        text=text,
        files=[check_file(f, max_bytes=1024 * 1024) for f in files],
    )


def test_appeals_need_login(client, company):
    response = client.get(reverse("appeals:list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("residents:login"))


def test_list_shows_the_residents_appeals_with_status(client, company, ivanov, neighbour, plumbing):
    mine = appeal_of(ivanov, plumbing, text="Капает из-под раковины.")
    appeal_of(neighbour, plumbing, text="Соседский секрет.")
    client.force_login(ivanov.user)

    html = client.get(reverse("appeals:list")).text

    assert f"Обращение №{mine.pk}" in html
    assert "Капает из-под раковины." in html
    assert '<span class="status status--new">Новое</span>' in html
    assert "Соседский секрет." not in html
    assert 'href="/cabinet/appeals/new/"' in html


def test_list_shows_only_the_chosen_account(client, company, ivanov, plumbing):
    second = AccountFactory(number="1000999001")
    ResidentAccount.objects.create(resident=ivanov, account=second)
    appeal_of(ivanov, plumbing, text="По первой квартире.", account=ivanov.accounts.get(number="1000123456"))
    appeal_of(ivanov, plumbing, text="По второй квартире.", account=second)
    client.force_login(ivanov.user)

    html = client.get(reverse("appeals:list"), {"account": "1000999001"}).text

    assert "По второй квартире." in html
    assert "По первой квартире." not in html


def test_new_appeal_with_a_photo_opens_its_page(client, company_with_email, ivanov, plumbing):
    client.force_login(ivanov.user)

    response = client.post(
        reverse("appeals:new"),
        {"category": plumbing.pk, "text": "Течёт стояк в ванной.", "files": [photo("стояк.png"), pdf()]},
        follow=True,
    )

    appeal = Appeal.objects.get()
    assert response.redirect_chain[-1][0] == reverse("appeals:detail", args=[appeal.pk])
    assert f"Обращение №{appeal.pk} отправлено" in response.text
    assert "Течёт стояк в ванной." in response.text
    assert "стояк.png" in response.text
    assert appeal.attachments.count() == 2
    assert appeal.account.number == "1000123456"


def test_form_renders_one_clear_action_and_a_multiple_file_input(client, company, ivanov, plumbing):
    client.force_login(ivanov.user)

    html = client.get(reverse("appeals:new")).text

    assert 'enctype="multipart/form-data"' in html
    assert 'type="file" name="files"' in html and "multiple" in html
    assert html.count('type="submit"') == 2  # «Отправить обращение» and the header's «Выйти»
    assert "Отправить обращение" in html
    assert "Водоснабжение и канализация" in html


def test_a_program_renamed_to_jpg_is_refused_beside_the_field_and_the_text_is_kept(
    client, company, ivanov, plumbing
):
    client.force_login(ivanov.user)

    response = client.post(
        reverse("appeals:new"),
        {"category": plumbing.pk, "text": "Мой длинный текст про подвал.", "files": [exe_as_jpg()]},
    )

    assert response.status_code == 200
    assert "«photo.jpg» — это программа" in response.text
    assert "Мой длинный текст про подвал." in response.text
    assert "выберите подходящие файлы заново" in response.text
    assert not Appeal.objects.exists()


def test_more_files_than_allowed_are_refused(client, company, ivanov, plumbing, settings):
    settings.APPEALS_MAX_FILES = 2
    client.force_login(ivanov.user)

    response = client.post(
        reverse("appeals:new"),
        {
            "category": plumbing.pk,
            "text": "Три фото.",
            "files": [photo("1.png"), photo("2.png"), photo("3.png")],
        },
    )

    assert "не больше 2 файлов, вы выбрали 3" in response.text
    assert not Appeal.objects.exists()


def test_missing_category_and_text_get_messages_beside_the_fields(client, company, ivanov, plumbing):
    client.force_login(ivanov.user)

    response = client.post(reverse("appeals:new"), {"category": "", "text": "   "})

    assert "Выберите тему обращения." in response.text
    assert "Напишите текст обращения." in response.text


def test_hourly_limit_is_told_beside_the_text_and_the_text_is_kept(
    client, company, ivanov, plumbing, settings
):
    settings.APPEALS_PER_HOUR = 1
    appeal_of(ivanov, plumbing)
    client.force_login(ivanov.user)

    response = client.post(reverse("appeals:new"), {"category": plumbing.pk, "text": "Ещё одно обращение."})

    assert "За последний час вы уже отправили 1 обращение" in response.text
    assert "Ещё одно обращение." in response.text
    assert Appeal.objects.count() == 1


def test_hidden_category_cannot_be_chosen(client, company, ivanov, plumbing):
    plumbing.is_active = False
    plumbing.save()
    client.force_login(ivanov.user)

    response = client.post(reverse("appeals:new"), {"category": plumbing.pk, "text": "Текст."})

    assert "Такой темы нет в списке" in response.text


def test_appeal_page_shows_the_conversation(client, company, ivanov, plumbing, operator):
    from kabinet.appeals.services import reply_to_appeal

    appeal = appeal_of(ivanov, plumbing, text="Нет горячей воды.")
    reply_to_appeal(appeal=appeal, staff=operator, text="Воду дадут к вечеру.", status="done")
    client.force_login(ivanov.user)

    html = client.get(reverse("appeals:detail", args=[appeal.pk])).text

    assert html.index("Нет горячей воды.") < html.index("Воду дадут к вечеру.")
    assert "Статус обращения: <strong>выполнено</strong>" in html


def test_another_households_appeal_is_not_found(client, company, ivanov, neighbour, plumbing):
    theirs = appeal_of(neighbour, plumbing, files=[photo()])
    client.force_login(ivanov.user)

    assert client.get(reverse("appeals:detail", args=[theirs.pk])).status_code == 404
    attachment = theirs.attachments.get()
    assert client.get(reverse("appeals:attachment", args=[attachment.pk])).status_code == 404


def test_appeal_of_the_residents_other_account_opens(client, company, ivanov, plumbing):
    second = AccountFactory(number="1000999002")
    ResidentAccount.objects.create(resident=ivanov, account=second)
    appeal = appeal_of(ivanov, plumbing, account=second)
    client.force_login(ivanov.user)

    assert client.get(reverse("appeals:detail", args=[appeal.pk])).status_code == 200


def test_attachment_is_downloaded_with_safe_headers(client, company, ivanov, plumbing):
    appeal = appeal_of(ivanov, plumbing, files=[photo("кухня.png")])
    attachment = appeal.attachments.get()
    client.force_login(ivanov.user)

    response = client.get(reverse("appeals:attachment", args=[attachment.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%D0%BA%D1%83%D1%85%D0%BD%D1%8F.png" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_behind_nginx_the_checked_download_is_handed_to_nginx_by_x_accel_redirect(
    client, company, ivanov, plumbing, settings
):
    settings.X_ACCEL_PREFIX = "/_private/appeals/"
    appeal = appeal_of(ivanov, plumbing, files=[photo("кухня.png")])
    attachment = appeal.attachments.get()
    client.force_login(ivanov.user)

    response = client.get(reverse("appeals:attachment", args=[attachment.pk]))

    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/_private/appeals/" + attachment.file.name
    assert response.content == b""  # nginx sends the bytes
    assert response["Content-Type"] == "image/png"
    assert "filename*=utf-8''%D0%BA%D1%83%D1%85%D0%BD%D1%8F.png" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"


def test_attachments_are_not_reachable_as_media(client, company, ivanov, plumbing):
    appeal = appeal_of(ivanov, plumbing, files=[photo()])
    name = appeal.attachments.get().file.name

    assert client.get(f"/media/{name}").status_code == 404
    assert client.get(f"/media/appeals/{name}").status_code == 404


def test_staff_without_a_cabinet_cannot_use_resident_pages(client, company, operator, plumbing):
    sign_in_staff(client, operator)

    assert client.get(reverse("appeals:list")).status_code == 403


# --- Issue 15 (5): a photo attached to an appeal never silently disappears ------------------


def test_a_photo_is_kept_when_another_field_shows_an_error_and_attached_on_the_next_submission(
    client, company_with_email, ivanov, plumbing
):
    client.force_login(ivanov.user)

    refused = client.post(
        reverse("appeals:new"), {"category": plumbing.pk, "text": "", "files": [photo("стояк.png")]}
    )

    assert "Напишите текст обращения." in refused.text
    assert "Уже приложено" in refused.text and "«стояк.png»" in refused.text
    client.post(reverse("appeals:new"), {"category": plumbing.pk, "text": "Течёт стояк."})
    appeal = Appeal.objects.get()
    assert [a.original_name for a in appeal.attachments.all()] == ["стояк.png"]
    assert "Уже приложено" not in client.get(reverse("appeals:new")).text  # used once


def test_a_kept_photo_the_resident_removes_is_not_attached(client, company_with_email, ivanov, plumbing):
    client.force_login(ivanov.user)
    client.post(
        reverse("appeals:new"), {"category": "", "text": "Течёт.", "files": [photo("a.png"), photo("b.png")]}
    )
    tokens = [f["token"] for f in client.session["appeal_provisional_files"]]

    client.post(reverse("appeals:new"), {"category": plumbing.pk, "text": "Течёт.", "drop_file": [tokens[0]]})

    assert [a.original_name for a in Appeal.objects.get().attachments.all()] == ["b.png"]


def test_kept_photos_belong_to_the_session_that_chose_them(client, company_with_email, ivanov, plumbing):
    from django.test import Client

    client.force_login(ivanov.user)
    client.post(reverse("appeals:new"), {"category": "", "text": "Течёт.", "files": [photo("a.png")]})
    other = Client()
    other.force_login(ivanov.user)

    other.post(reverse("appeals:new"), {"category": plumbing.pk, "text": "Течёт."})

    assert Appeal.objects.get().attachments.count() == 0


def test_the_resident_is_told_when_to_expect_an_answer_by_the_categorys_term(
    client, company_with_email, ivanov, plumbing, settings
):
    from datetime import timedelta

    from kabinet.core import formats

    plumbing.answer_days = 3
    plumbing.save()
    client.force_login(ivanov.user)

    response = client.post(reverse("appeals:new"), {"category": plumbing.pk, "text": "Течёт."}, follow=True)

    appeal = Appeal.objects.get()
    due = formats.date(appeal.created_at + timedelta(days=3))
    assert f"Ответ — не позднее {due}" in response.text
    assert f"не позднее {due}</dd>" in response.text
    plumbing.answer_days = None
    plumbing.save()
    appeal.refresh_from_db()
    assert appeal.answer_due_at == appeal.created_at + timedelta(days=settings.APPEALS_ANSWER_LIMIT_DAYS)
