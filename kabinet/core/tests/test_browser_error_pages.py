"""The error pages in Chromium at a phone's and a desktop's width: a request the site cannot take
(400) in the residents' layout, a closed section (403) in the back-office's.

Screenshots land in screenshots/ (<width>-error-*.png): look at them.
"""

import pytest
from playwright.sync_api import expect

from kabinet.core.models import User
from kabinet.testing_browser import accessibility_violations, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def looked_at(page, name: str) -> None:
    shoot(page, f"error-{name}")
    assert accessibility_violations(page) == [], name
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{name}: {width}px wide"


@pytest.mark.parametrize("width", [390, 1280])
def test_a_request_not_taken_and_a_closed_section_are_said_plainly(
    chromium, live_server, settings, company, width
):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    context = chromium.new_context(viewport={"width": width, "height": 900}, locale="ru-RU")
    page = context.new_page()

    answer = page.goto(live_server.url + "/login/?" + "&".join(f"f{n}=x" for n in range(10)))
    assert answer.status == 400
    expect(page.get_by_role("heading", name="Запрос не принят")).to_be_visible()
    expect(page.get_by_role("link", name="На главную")).to_be_visible()
    looked_at(page, "400")

    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
    User.objects.create_user("clerk", password="clerk-pass-2026", is_staff=True)
    page.goto(live_server.url + "/admin/")
    # No right that reaches personal data: a password is the whole sign-in (kabinet/staff/policy.py).
    page.get_by_label("Имя пользователя").fill("clerk")
    page.get_by_label("Пароль").fill("clerk-pass-2026")
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_role("heading", name="Рабочее место сотрудника")).to_be_visible()
    answer = page.goto(live_server.url + "/admin/billing/importprofile/")
    assert answer.status == 403
    expect(page.get_by_text("Вашей учётной записи не дано право открывать этот раздел")).to_be_visible()
    looked_at(page, "403-staff")
    context.close()
