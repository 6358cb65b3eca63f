"""The back-office speaks correct Russian on every page, to an operator and to an administrator."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.utils import translation

from kabinet.audit.models import AuditEntry
from kabinet.core.backoffice import BackOfficeAdmin
from kabinet.core.models import User
from kabinet.core.tests import russian
from kabinet.core.tests.backoffice_pages import backoffice_data, backoffice_pages, filter_pages
from kabinet.testing import sign_in_staff

LOCALE = Path(settings.BASE_DIR) / "kabinet" / "core" / "locale" / "ru" / "LC_MESSAGES"


def registered_nouns():
    return [
        (model_admin.noun, str(model._meta.verbose_name_plural))
        for model, model_admin in admin.site._registry.items()
    ]


def test_every_back_office_screen_names_its_model_in_every_form_russian_needs():
    plain = [
        type(model_admin).__name__
        for model_admin in admin.site._registry.values()
        if not isinstance(model_admin, BackOfficeAdmin)
    ]
    assert plain == []


@pytest.mark.parametrize(
    "bad",
    [
        "<h1>Выберите оплата для просмотра</h1>",
        "<a>Изменить страница</a>",
        "<p class='paginator'>7 услуги</p>",
        "<p>2 жители</p>",
        "<p>0 загрузки файлов</p>",
        "<a>4 Декабрь</a><span>Registration request:</span>",
        "<th>User</th>",  # the column Django names after a field without a Russian name
        "<div id='changelist-filter'><ul><li><a>accounts</a></li></ul></div>",
        '<div data-inline-formset=\'{"addText": "Добавить еще один Показание"}\'></div>',
        "<p>6 04.12.2026: 1500.50</p>",
        "<p>Редакция 2025-09-01</p>",
        "<p>3 декабря 2026, 20:25 UTC</p>",
    ],
)
def test_the_checks_catch_what_operators_reported(bad):
    assert russian.problems(bad, nouns=registered_nouns()) != []


def test_the_checks_let_correct_russian_and_data_through():
    good = (
        "<h1>Оплаты</h1><a>Добавить оплату</a><p class='paginator'>71 оплата</p><p>2 оплаты</p>"
        "<p>0 оплат</p><td>ivanov@mail.ru</td><td>accounts.csv</td><td>DEMO-1000123459-202611</td>"
        "<td>SMS</td><td>/about/</td><td>Оплата 1 500,50 ₽ от 4 декабря 2026</td><td>E-mail</td>"
    )
    assert russian.problems(good, nouns=registered_nouns()) == []


@pytest.fixture
def pages_with_data(db):
    backoffice_data()


@pytest.mark.parametrize("username", ["operator", "admin"])
def test_every_back_office_page_reads_as_correct_russian(client, pages_with_data, username):
    user = User.objects.get(username=username)
    sign_in_staff(client, user)
    usernames = list(User.objects.values_list("username", flat=True))
    nouns = registered_nouns()
    found, opened, filtered = [], 0, 0
    pages = backoffice_pages(user)
    while pages:
        page = pages.pop(0)
        response = client.get(page.url, follow=True)
        assert response.status_code == 200, f"{page.what}: {page.url} answered {response.status_code}"
        html = response.content.decode()
        found += [
            f"{page.url} ({page.what}): {p}" for p in russian.problems(html, nouns=nouns, usernames=usernames)
        ]
        opened += 1
        if page.what.endswith(": список"):
            more = filter_pages(html, page.url)
            pages += more
            filtered += len(more)

    assert found == [], "\n".join(found)
    assert opened > (100 if username == "admin" else 80)
    assert filtered > (40 if username == "admin" else 30)


def test_times_in_titles_and_lists_are_in_the_company_zone(client, pages_with_data):
    admin_user = User.objects.get(username="admin")
    entry = AuditEntry.objects.create(
        at=dt.datetime(2026, 12, 3, 20, 25, tzinfo=dt.UTC),  # 23:25 in Moscow
        action=AuditEntry.Action.EXPORT,
        actor=admin_user,
        actor_name="admin",
        is_staff=True,
        target="показания за ноябрь 2026",
    )
    sign_in_staff(client, admin_user)

    page = client.get(f"/admin/audit/auditentry/{entry.pk}/change/").content.decode()
    listing = client.get("/admin/audit/auditentry/").content.decode()

    assert "23:25" in page and "20:25" not in page
    assert "23:25" in listing and "20:25" not in listing


def test_the_compiled_corrections_match_their_source():
    """Whoever edits django.po must compile it: every corrected sentence is in force."""
    source = (LOCALE / "django.po").read_text(encoding="utf-8")
    entries = [e for e in source.split("\n\n") if "msgid" in e and "msgid_plural" not in e]
    checked = 0
    with translation.override("ru"):
        for entry in entries:
            msgid = "".join(_strings(entry, "msgid"))
            msgstr = "".join(_strings(entry, "msgstr"))
            if msgid:
                assert translation.gettext(msgid) == msgstr, msgid
                checked += 1
    assert checked > 20


def _strings(entry: str, key: str) -> list[str]:
    import ast
    import re

    block = re.search(rf'^{key} (".*"(?:\n".*")*)', entry, re.M)
    return [ast.literal_eval(s) for s in block.group(1).split("\n")] if block else []


def test_the_walk_applies_the_last_choice_of_each_filter_and_shows_the_counters():
    html = (
        '<nav id="changelist-filter"><div id="changelist-filter-extra-actions"><h3>'
        '<a href="?_facets=True" class="viewlink">Показать счётчики</a></h3></div>'
        '<details data-filter-title="статус" open><summary>статус</summary><ul>'
        '<li class="selected">\n<a href="?">Все</a></li><li>\n<a href="?status__exact=new">новое</a></li>'
        '<li>\n<a href="?status__exact=done&amp;o=1">выполнено</a></li></ul></details>'
        '<details data-filter-title="период" open><summary>период</summary><ul>'
        '<li class="selected">\n<a href="?">Все</a></li>'
        '<li>\n<a href="?period=2026-11-01">ноябрь 2026</a></li>'
        "</ul></details></nav>"
    )

    urls = [page.url for page in filter_pages(html, "/admin/appeals/appeal/")]

    assert urls == [
        "/admin/appeals/appeal/?_facets=True",
        "/admin/appeals/appeal/?status__exact=done&o=1",
        "/admin/appeals/appeal/?period=2026-11-01",
    ]


def test_a_permission_of_the_models_own_continues_the_sentence_after_the_colon(db):
    from django.contrib.auth.models import Permission

    from kabinet.core.backoffice import permission_label

    resend = Permission.objects.get(codename="resend_outboxmessage")
    view = Permission.objects.get(codename="view_outboxmessage")

    assert permission_label(resend) == "исходящие SMS и письма: может отправлять сообщения ещё раз"
    assert permission_label(view) == "исходящие SMS и письма: просмотр"


def test_the_start_page_of_someone_who_did_nothing_yet_says_so(client, db):
    from kabinet.demo.loader import load_demo_data

    load_demo_data()
    sign_in_staff(client, User.objects.get(username="operator"))

    page = client.get("/admin/").content.decode()

    assert "Пока ничего нет" in page and "Недоступно" not in page
