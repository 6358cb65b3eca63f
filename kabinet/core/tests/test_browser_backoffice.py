"""The back-office in Chromium at 1280 px: the queue shows what the decision needs without
scrolling, no page is wider than the screen, and the pages operators work in pass axe-core."""

import pytest

from kabinet.billing.models import ImportJob
from kabinet.core.models import User
from kabinet.core.tests.backoffice_pages import STAFF_PASSWORDS, backoffice_data, backoffice_pages
from kabinet.meters.models import Meter
from kabinet.residents.models import RegistrationRequest
from kabinet.testing_browser import accessibility_violations, shoot, sign_in_to_back_office

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Hidden overflow: a box that scrolls sideways hides part of what is in it (the queue's columns did).
SIDEWAYS = """() => {
  const found = [];
  const page = document.documentElement.scrollWidth;
  if (page > window.innerWidth) found.push('the page: ' + page + ' px');
  for (const el of document.querySelectorAll('body *')) {
    const sideways = ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
    if (sideways && el.scrollWidth > el.clientWidth + 1 && el.tagName !== 'TEXTAREA') {
      const name = el.id ? '#' + el.id : el.tagName.toLowerCase() + '.' + el.className;
      found.push(name + ': ' + el.scrollWidth + ' px in ' + el.clientWidth);
    }
  }
  return found;
}"""

# The pages an operator spends the day in (the list and one record of each).
OPERATOR_PAGES = [
    "/admin/",
    "/admin/residents/registrationrequest/",
    "/admin/residents/registrationrequest/?status__exact=pending",
    "/admin/appeals/appeal/",
    "/admin/billing/account/",
    "/admin/billing/payment/",
    "/admin/billing/importjob/",
    "/admin/billing/importjob/add/",
    "/admin/meters/meter/",
    "/admin/meters/reading/",
    "/admin/messaging/outboxmessage/",
    "/admin/audit/auditentry/",
]


@pytest.fixture
def backoffice(live_server):
    backoffice_data()
    return live_server


def signed_in(chromium, live_server, username: str, width: int = 1280):
    context = chromium.new_context(
        viewport={"width": width, "height": 900 if width > 500 else 844},
        locale="ru-RU",
        timezone_id="Europe/Moscow",
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/")
    sign_in_to_back_office(page, User.objects.get(username=username), STAFF_PASSWORDS[username])
    return context, page


def test_the_queue_shows_the_check_the_wait_and_the_state_without_scrolling(chromium, backoffice):
    context, page = signed_in(chromium, backoffice, "operator")
    page.goto(f"{backoffice.url}/admin/residents/registrationrequest/")
    shoot(page, "admin-queue")

    for name in ("Проверка по данным начислений", "Ждёт", "Статус"):
        box = page.get_by_role("columnheader", name=name).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 1280, name
    assert page.evaluate(SIDEWAYS) == []
    assert page.get_by_text("4 дн. 2 ч — просрочена").is_visible()
    context.close()


def test_on_a_phone_each_request_in_the_queue_is_a_card_with_its_check_wait_and_state(chromium, backoffice):
    context, page = signed_in(chromium, backoffice, "operator", width=390)
    page.goto(f"{backoffice.url}/admin/residents/registrationrequest/")
    shoot(page, "admin-queue")

    overdue = page.locator("#result_list tbody tr", has_text="Васильева Нина Сергеевна")
    for title, value in [
        ("Проверка по данным начислений", "счёт"),
        ("Ждёт", "4 дн. 2 ч — просрочена"),
        ("Статус", "на проверке"),
    ]:
        cell = overdue.locator(f'[data-label="{title}"]')
        box = cell.bounding_box()
        assert cell.is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= 390, title
        assert value in cell.inner_text()
        # the title is shown beside the value (CSS ::before), not only in an attribute
        before = cell.evaluate("el => getComputedStyle(el, '::before').content")
        assert before == f'"{title}"', before
    assert page.evaluate(SIDEWAYS) == []
    context.close()


def records_operators_work_in() -> list[str]:
    """A request waiting in the queue, and a two-tariff meter with its readings."""
    pending = RegistrationRequest.objects.filter(status="pending").first()
    two_tariff = Meter.objects.filter(tariffs=2).first()
    waiting = ImportJob.objects.filter(status=ImportJob.Status.MAPPING).first()
    return [
        f"/admin/residents/registrationrequest/{pending.pk}/change/",
        f"/admin/meters/meter/{two_tariff.pk}/change/",
        f"/admin/billing/importjob/{waiting.pk}/columns/",  # «Столбцы файла» of a new layout
    ]


def test_on_a_phone_the_pages_operators_work_in_fit_the_screen_and_pass_axe(chromium, backoffice):
    context, page = signed_in(chromium, backoffice, "operator", width=390)
    found = []
    for url in [*OPERATOR_PAGES, *records_operators_work_in()]:
        page.goto(f"{backoffice.url}{url}")
        found += [f"{url}: {v}" for v in page.evaluate(SIDEWAYS)]
        found += [f"{url}: {v}" for v in accessibility_violations(page)]
    shoot(page, "admin-meter")
    context.close()

    assert found == [], "\n".join(found)


@pytest.mark.parametrize("username", ["operator", "admin"])
def test_no_back_office_page_is_wider_than_the_screen(chromium, backoffice, username):
    context, page = signed_in(chromium, backoffice, username)
    wide = []
    for target in backoffice_pages(User.objects.get(username=username)):
        page.goto(f"{backoffice.url}{target.url}")
        wide += [f"{target.url} ({target.what}): {found}" for found in page.evaluate(SIDEWAYS)]
    context.close()

    assert wide == [], "\n".join(wide)


def test_the_pages_operators_work_in_pass_axe(chromium, backoffice):
    context, page = signed_in(chromium, backoffice, "operator")
    found = []
    for url in [*OPERATOR_PAGES, *records_operators_work_in()]:
        page.goto(f"{backoffice.url}{url}")
        found += [f"{url}: {v}" for v in accessibility_violations(page)]
    shoot(page, "admin-meter")
    context.close()

    assert found == [], "\n".join(found)
