"""The company's pages residents read, in Chromium at 390 and 1280 px: nothing wider than the
screen, the emergency phone in the header, axe-core without a violation."""

import pytest

from kabinet.core.tests.backoffice_pages import backoffice_data
from kabinet.public.models import Page
from kabinet.residents.models import RegistrationRequest
from kabinet.testing_browser import accessibility_violations, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [390, 1280]


@pytest.fixture
def site(live_server):
    backoffice_data()  # the demo company, its billing data, a rejected request
    # The fixed pages come from a migration; a test on a live server empties the tables after it.
    for slug, title in (("contacts", "Контакты"), ("tariffs", "Тарифы и услуги")):
        Page.objects.get_or_create(
            slug=slug, defaults={"title": title, "body": "Письменное обращение можно отправить из кабинета."}
        )
    return live_server


@pytest.mark.parametrize("width", WIDTHS)
def test_company_pages_fit_the_screen_name_the_emergency_phone_and_pass_axe(chromium, site, width):
    rejected = RegistrationRequest.objects.get(status="rejected")
    pages = {
        "home": "/",
        "contacts": "/contacts/",
        "tariffs": "/tariffs/",
        "consent": "/documents/consent/",
        "request-rejected": f"/registration/{rejected.status_token}/",
    }
    context = chromium.new_context(viewport={"width": width, "height": 844}, locale="ru-RU")
    page = context.new_page()
    found = []
    for name, url in pages.items():
        page.goto(f"{site.url}{url}")
        shoot(page, f"company-{name}")
        emergency = page.locator(".emergency a")
        assert emergency.is_visible() and emergency.inner_text() == "+7 (4822) 55-00-01", url
        assert emergency.bounding_box()["y"] < 80, url  # at the very top, on a phone too
        wide = page.evaluate("document.documentElement.scrollWidth")
        if wide > width:
            found.append(f"{url}: {wide} px wide")
        found += [f"{url}: {v}" for v in accessibility_violations(page)]
    context.close()

    assert found == [], "\n".join(found)
