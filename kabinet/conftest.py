"""Personas and helpers shared by every app's tests.

ivanov: holds account 1000123456 with his phone in the billing data: his request passes at once.
neighbour: a real account holder of another flat, who must never see Ivanov's data.
operator: a member of staff who works the registration queue.
"""

import os

import pytest

from kabinet.billing.tests.factories import AccountFactory
from kabinet.core.models import Company, User


@pytest.fixture
def company(db) -> Company:
    return Company.load()


@pytest.fixture
def published_policies(db) -> None:
    """The policy texts the data migration publishes, again: transactional tests empty the tables."""
    from kabinet.residents.defaults import ensure_policy_documents
    from kabinet.residents.models import PolicyDocument

    ensure_policy_documents(PolicyDocument)


@pytest.fixture
def ivanov_account(db):
    return AccountFactory(
        number="1000123456",
        holder_name="Иванов Иван Иванович",
        phone="+79123456789",
        address="г. Тверь, ул. Советская, д. 12, кв. 5",
    )


@pytest.fixture
def neighbour_account(db):
    return AccountFactory(number="1000123457", holder_name="Петрова Анна Сергеевна", phone="")


@pytest.fixture
def operator(db) -> User:
    return User.objects.create_user(
        "operator", password="operator-pass-2026", is_staff=True, is_superuser=True
    )


@pytest.fixture
def admin_client(db, admin_user):
    """pytest-django's superuser client, signed in with the second factor as staff must be."""
    from django.test import Client

    from kabinet.testing import sign_in_staff

    client = Client()
    sign_in_staff(client, admin_user)
    return client


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    from kabinet.testing_browser import launch

    # Playwright's sync API runs an event loop in this thread; the test's own database calls
    # are still plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _fresh_rate_limits(request):
    """Rate-limit counters live in the cache table, which a transactional test does not empty:
    each test starts with none used."""
    if request.node.get_closest_marker("django_db") or "db" in request.fixturenames:
        request.getfixturevalue("_django_db_helper")  # the database as the test's mark asks for it
        clear_cache()
    yield


def clear_cache() -> None:
    """Empty our cache; on a shared Redis only the keys under our prefix, never FLUSHDB."""
    from django.core.cache import cache

    if cache.__class__.__name__ != "RedisCache":
        cache.clear()
        return
    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(f"{cache.key_prefix}:*"):
        client.delete(key)


@pytest.fixture(autouse=True, scope="session")
def _receipts_dir(tmp_path_factory):
    """Kept receipts (PDF) of the tests go to a directory of the test run, not under var/."""
    from django.conf import settings

    settings.BILLING_RECEIPTS_DIR = tmp_path_factory.mktemp("receipts")
