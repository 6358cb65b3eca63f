"""What a cabinet page costs the database, pinned: a change that adds a query to a page fails here.

Counted with the cache in the database (the tests' settings, `make run` without Redis), where a
kept value costs what reading its row does. With Redis the user, the company, the reading
schedule, the news and the overview and charges pages themselves come from the cache instead
(the last tests). The figures do not depend on how long the
history is: every page is counted with three years of months and again with one.
"""

from datetime import date

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from kabinet.appeals.models import Appeal, AppealCategory
from kabinet.billing.tests.history import PASSWORD, make_history, resident_with
from kabinet.core import stamps
from kabinet.meters.models import ReadingSchedule
from kabinet.meters.tests.factories import MeterFactory, ReadingFactory
from kabinet.public.models import NewsItem

LOCAL_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Every page: the session and the user with the resident (2) and the resident's accounts (1)
# come first; then the page's own reads, the company last (the header: context processor).
PAGES = [
    # overview: balance rows with the last payment (1), the meters' building (1), the reading
    # schedule (1), the news (1), the company (1)
    ("residents:cabinet", {}, 8),
    # charges: the balance rows (1), the month's accruals with services (1), the company (1)
    ("billing:charges", {}, 6),
    # receipts: the balance rows (1), the company (1)
    ("billing:payment_documents", {}, 5),
    # a receipt asked again: the month's accruals and balance (2), the company (1), the meters
    # and readings (2): the kept file is read, nothing is made
    ("billing:payment_document_pdf", {"args": [date(2026, 10, 1)]}, 8),
    # pay: the summary (1), the company (1)
    ("payments:pay", {}, 5),
    # payment history: the online payments under way (1), the payments (1), the company (1)
    ("payments:history", {}, 6),
    # readings: meters (1), their readings (1), the reading schedule (1), the company (1), the
    # device inputs feeding the meters (1)
    ("meters:readings", {}, 8),
    # appeals: the list (1), the company (1)
    ("appeals:list", {}, 5),
    # a new appeal: the categories (1), the company (1)
    ("appeals:new", {}, 5),
    # news: the count for the pages (1), a page of news (1), the company (1)
    ("public:cabinet_news", {}, 6),
    # profile: requests for further accounts (1), a code waiting for a new phone (1), the company (1),
    # the apps and devices (1)
    ("residents:profile", {}, 7),
]


@pytest.fixture
def signed_in(client, company, ivanov_account):
    make_history(ivanov_account, months=36, first=date(2023, 11, 1))
    cold = MeterFactory(account=ivanov_account, serial_number="ХВ-1")
    for month in range(1, 13):
        ReadingFactory(meter=cold, period=date(2026, month, 1), value=100 + month)
    NewsItem.objects.create(
        title="Отключение воды", slug="voda", summary="Коротко", body="Текст", is_published=True
    )
    resident = resident_with(ivanov_account)
    category = AppealCategory.objects.create(name="Водоснабжение и канализация")
    Appeal.objects.create(resident=resident, account=ivanov_account, category=category, text="Течёт кран")
    assert client.login(username=ivanov_account.number, password=PASSWORD)
    return client


def url(name: str, kwargs: dict) -> str:
    return reverse(name, **kwargs)


@pytest.mark.parametrize(("name", "kwargs", "queries"), PAGES)
def test_a_cabinet_page_reads_the_database_a_fixed_number_of_times(
    signed_in, django_assert_num_queries, name, kwargs, queries
):
    assert signed_in.get(url(name, kwargs)).status_code == 200  # the first: a receipt is made

    with django_assert_num_queries(queries):
        response = signed_in.get(url(name, kwargs))

    assert response.status_code == 200


def test_the_overview_and_the_charges_cost_the_same_with_one_month_or_three_years(
    client, company, ivanov_account, neighbour_account, django_assert_num_queries
):
    make_history(ivanov_account, months=36, first=date(2023, 11, 1))
    make_history(neighbour_account, months=1, first=date(2026, 10, 1))
    resident_with(ivanov_account, neighbour_account)
    assert client.login(username=ivanov_account.number, password=PASSWORD)

    for number in (ivanov_account.number, neighbour_account.number):
        for name, queries in (("residents:cabinet", 8), ("billing:charges", 6)):
            client.get(reverse(name), {"account": number})  # remembers the account shown
            with django_assert_num_queries(queries):
                assert client.get(reverse(name)).status_code == 200


@override_settings(CACHES=LOCAL_CACHE)
def test_with_a_shared_cache_the_overview_charges_and_readings_are_served_again_with_the_session_alone(
    signed_in, django_assert_num_queries
):
    cache.clear()
    ReadingSchedule.load()  # made by the first overview otherwise: a change, and nothing kept then
    for name in ("residents:cabinet", "billing:charges", "meters:readings"):
        signed_in.get(reverse(name))  # keeps the user, the company, the schedule, the news, the page

        # The session (in Redis in production: no query at all).
        with django_assert_num_queries(1):
            assert signed_in.get(reverse(name)).status_code == 200


@override_settings(CACHES=LOCAL_CACHE)
def test_with_a_shared_cache_a_page_made_again_reads_neither_the_user_nor_the_company(
    signed_in, django_assert_num_queries
):
    cache.clear()
    ReadingSchedule.load()
    signed_in.get(reverse("residents:cabinet"))
    signed_in.get(reverse("billing:charges"))
    stamps.changed(stamps.BILLING)  # an import: the pages are made again

    # The session, the accounts, the balance rows, the meters' building.
    with django_assert_num_queries(4):
        assert signed_in.get(reverse("residents:cabinet")).status_code == 200
    # The session, the accounts, the balance rows, the month's accruals.
    with django_assert_num_queries(4):
        assert signed_in.get(reverse("billing:charges")).status_code == 200
