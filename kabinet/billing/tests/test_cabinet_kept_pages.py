"""Kept pages (kabinet.core.keptpages) behave as pages made anew: each browser gets its own form
token, each resident only their own page, messages show once, a page ends with the session that
asked for it. (That they are never stale is test_cabinet_freshness; what they cost,
test_cabinet_queries.)"""

import re
from datetime import date

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache, caches
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from kabinet.billing.tests.history import PASSWORD, make_history, resident_with
from kabinet.core import stamps
from kabinet.core.keptpages import CSRF_MARKER
from kabinet.meters.models import ReadingSchedule

LOCAL_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def shared_cache():
    with override_settings(CACHES=LOCAL_CACHE):
        cache.clear()
        ReadingSchedule.load()
        yield
        cache.clear()


def browser(number: str) -> Client:
    client = Client(enforce_csrf_checks=True)
    assert client.login(username=number, password=PASSWORD)
    return client


def text(response) -> str:
    assert response.status_code == 200
    return " ".join(response.content.decode().replace("\u00a0", " ").split())


@pytest.fixture
def ivanov(company, ivanov_account):
    make_history(ivanov_account)  # October 2026 left to pay: 14 110,78 ₽
    return resident_with(ivanov_account)


def test_a_kept_page_carries_each_browsers_own_form_token_and_signs_out(ivanov, ivanov_account):
    phone, laptop = browser(ivanov_account.number), browser(ivanov_account.number)
    phone.get(reverse("residents:cabinet"))  # made and kept
    laptop.get(reverse("residents:cabinet"))  # made and kept, for this browser's token
    page = laptop.get(reverse("residents:cabinet"))  # served as kept

    assert CSRF_MARKER not in page.content.decode()
    token = TOKEN.search(page.content.decode()).group(1)
    assert laptop.post(reverse("residents:logout"), {"csrfmiddlewaretoken": token}).status_code == 302
    assert laptop.get(reverse("residents:cabinet")).url.startswith(reverse("residents:login"))
    assert "14 110,78 ₽" in text(phone.get(reverse("residents:cabinet")))  # the phone is still in


def counted(method, name: str, calls: list[str]):
    """`method`, its calls listed by name (not those it makes itself: the local cache's get_many
    calls its get)."""

    def call(*args, **kwargs):
        depth = getattr(counted, "depth", 0)
        if not depth:
            calls.append(name)
        counted.depth = depth + 1
        try:
            return method(*args, **kwargs)
        finally:
            counted.depth = depth

    return call


def test_a_kept_page_is_served_with_one_read_of_the_cache(ivanov, ivanov_account, monkeypatch):
    client = browser(ivanov_account.number)
    client.get(reverse("residents:cabinet"))
    client.get(reverse("residents:cabinet"))
    backend, calls = caches["default"], []
    for name in ("get", "get_many", "add", "set", "set_many", "delete"):
        monkeypatch.setattr(backend, name, counted(getattr(backend, name), name, calls))

    assert "14 110,78 ₽" in text(client.get(reverse("residents:cabinet")))
    assert calls == ["get_many"]  # the user, the page and their stamps together (the session: Redis's)


def test_a_page_made_afresh_reads_the_company_the_window_and_the_news_in_one_trip(
    ivanov, ivanov_account, monkeypatch
):
    client = browser(ivanov_account.number)
    client.get(reverse("residents:cabinet"))  # the company, the window, the news kept
    stamps.changed(stamps.BILLING)  # an import: the kept page goes, the settings rows stay
    backend, calls = caches["default"], []
    for name in ("get", "get_many", "add", "set", "set_many", "delete"):
        monkeypatch.setattr(backend, name, counted(getattr(backend, name), name, calls))

    assert "14 110,78 ₽" in text(client.get(reverse("residents:cabinet")))
    assert calls == ["get_many", "set"]  # read together; the new page kept


@override_settings(KEEP_PAGES=False)
def test_with_kept_pages_switched_off_every_page_is_made_afresh(ivanov, ivanov_account, monkeypatch):
    client = browser(ivanov_account.number)
    client.get(reverse("residents:cabinet"))
    backend, calls = caches["default"], []
    monkeypatch.setattr(backend, "set", counted(backend.set, "set", calls))

    assert "14 110,78 ₽" in text(client.get(reverse("residents:cabinet")))
    assert calls == []  # nothing kept: the page was made from the database


def test_each_resident_gets_their_own_kept_page(company, ivanov, ivanov_account, neighbour_account):
    make_history(neighbour_account, months=1, first=date(2026, 10, 1))
    resident_with(neighbour_account)
    ivanov_browser, neighbour_browser = browser(ivanov_account.number), browser(neighbour_account.number)
    for _ in range(2):
        mine = text(ivanov_browser.get(reverse("residents:cabinet")))
        theirs = text(neighbour_browser.get(reverse("residents:cabinet")))

    assert ivanov_account.number in mine and neighbour_account.number not in mine
    assert neighbour_account.number in theirs and ivanov_account.number not in theirs


def test_a_message_shows_once_over_a_kept_page(ivanov, ivanov_account):
    client = browser(ivanov_account.number)
    client.get(reverse("residents:cabinet"))
    client.get(reverse("residents:cabinet"))
    storage = CookieStorage(RequestFactory().get("/"))
    client.cookies["messages"] = storage._encode([Message(constants.SUCCESS, "Показание принято.")])

    assert "Показание принято." in text(client.get(reverse("residents:cabinet")))
    assert "Показание принято." not in text(client.get(reverse("residents:cabinet")))


def test_the_months_of_the_charges_are_kept_apart(ivanov, ivanov_account):
    client = browser(ivanov_account.number)
    for _ in range(2):
        september = text(client.get(reverse("billing:charges"), {"period": "2026-09"}))
        october = text(client.get(reverse("billing:charges"), {"period": "2026-10"}))

    assert 'value="2026-09" selected' in september and 'value="2026-10" selected' in october


def test_another_account_chosen_shows_on_the_kept_pages(company, ivanov_account, neighbour_account):
    make_history(ivanov_account)
    make_history(neighbour_account, months=1, first=date(2026, 10, 1))
    resident_with(ivanov_account, neighbour_account)
    client = browser(ivanov_account.number)
    client.get(reverse("residents:cabinet"))
    assert "Лицевой счёт 1000123456" in text(client.get(reverse("residents:cabinet")))

    client.get(reverse("residents:cabinet"), {"account": neighbour_account.number})

    assert "Лицевой счёт 1000123457" in text(client.get(reverse("residents:cabinet")))
    assert "Лицевой счёт 1000123457" in text(client.get(reverse("residents:cabinet")))


@pytest.mark.parametrize("change", ["ends all sessions", "new password", "closes the cabinet"])
def test_a_kept_page_is_not_shown_once_the_session_it_was_made_for_has_ended(ivanov, ivanov_account, change):
    from kabinet.residents.services import access
    from kabinet.residents.services import cabinet as cabinet_services

    phone = browser(ivanov_account.number)
    phone.get(reverse("residents:cabinet"))
    phone.get(reverse("residents:cabinet"))  # the user and the page are kept

    if change == "ends all sessions":
        access.end_all_sessions(resident=ivanov, ip=None)
    elif change == "new password":
        ivanov.user.set_password("Another-Password-2026")
        ivanov.user.save()
    else:
        cabinet_services.close_cabinet(resident=ivanov, ip=None)

    answer = phone.get(reverse("residents:cabinet"))
    assert answer.status_code == 302 and answer.url.startswith(reverse("residents:login"))
