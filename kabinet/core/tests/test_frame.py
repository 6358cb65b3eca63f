"""The site's header and footer, kept in the process under the values they show
(kabinet/core/templatetags/frame.py): always the company's current values and each response's
own form token."""

import re

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from kabinet.billing.tests.history import PASSWORD, resident_with
from kabinet.core.models import Company

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("company")]


def browser(number: str) -> Client:
    client = Client(enforce_csrf_checks=True)
    assert client.login(username=number, password=PASSWORD)
    return client


@override_settings(KEEP_PAGES=False)  # every page made afresh: the frame's own keeping alone
def test_each_browser_signs_out_with_the_token_its_page_carries(ivanov_account):
    resident_with(ivanov_account)
    phone, laptop = browser(ivanov_account.number), browser(ivanov_account.number)
    phone.get(reverse("residents:cabinet"))
    page = laptop.get(reverse("residents:cabinet")).content.decode()

    assert "Placeholder" not in page
    (token,) = TOKEN.findall(page)
    assert laptop.post(reverse("residents:logout"), {"csrfmiddlewaretoken": token}).status_code == 302
    assert laptop.get(reverse("residents:cabinet")).status_code == 302  # signed out: to the log-in


@override_settings(KEEP_PAGES=False)
def test_the_header_and_footer_show_the_companys_values_of_the_moment(client):
    company = Company.load()
    before = client.get(reverse("public:home")).content.decode()
    assert company.name in before and "Выйти" not in before  # nobody signed in: no logout form

    company.phone = "+7 (4822) 11-22-33"
    company.address = "г. Тверь, ул. Новая, д. 1"
    company.working_hours = "Пн–Пт 9:00–18:00 <обед 13–14>"
    company.save()
    after = client.get(reverse("public:home")).content.decode()

    assert 'href="tel:+74822112233">+7 (4822) 11-22-33</a>' in after
    assert "г. Тверь, ул. Новая, д. 1" in after
    assert "Пн–Пт 9:00–18:00 &lt;обед 13–14&gt;" in after  # the company's text, escaped
