"""What residents read about the company: who runs the site, how to reach it, what it charges."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from kabinet.billing.models import Accrual, Service
from kabinet.billing.tests.factories import AccountFactory
from kabinet.core.models import Company
from kabinet.public.models import FIXED_PAGE_SLUGS, Page
from kabinet.testing import sign_in_staff

pytestmark = pytest.mark.django_db

DETAILS = {
    "name": "ООО «Управляющая компания „Уютный дом“»",
    "short_name": "УК «Уютный дом»",
    "address": "г. Тверь, ул. Советская, д. 10, офис 1",
    "legal_address": "170100, г. Тверь, ул. Советская, д. 10, офис 1",
    "inn": "6950123450",
    "kpp": "695001001",
    "ogrn": "1026900123458",
    "phone": "+7 (4822) 55-00-00",
    "emergency_phone": "+7 (4822) 55-00-01",
    "emergency_hours": "круглосуточно",
}


@pytest.fixture
def company(db) -> Company:
    Company.objects.update_or_create(pk=1, defaults=DETAILS)
    return Company.load()


def text(response) -> str:
    return " ".join(response.content.decode().replace("\u00a0", " ").split())


def test_contacts_name_the_operator_of_personal_data_with_its_details(client, company):
    page = text(client.get(reverse("public:page", args=["contacts"])))

    for detail in (DETAILS["name"], DETAILS["legal_address"], "ИНН", "6950123450", "ОГРН", "1026900123458"):
        assert detail in page
    assert (
        "Аварийно-диспетчерская служба</dt><dd>" in page and "+7 (4822) 55-00-01</a>, круглосуточно" in page
    )


@pytest.mark.parametrize("url", ["/", "/news/", "/contacts/", "/registration/", "/login/"])
def test_the_emergency_phone_stands_in_the_header_of_every_page(client, company, url):
    html = client.get(url).content.decode()
    header = html.split("<header", 1)[1].split("</header>", 1)[0]

    assert 'href="tel:+74822550001"' in header
    assert "Аварийная служба" in header and "Аварийно-диспетчерская служба" in header


def test_without_an_emergency_phone_the_header_carries_no_empty_line(client, company):
    Company.objects.filter(pk=1).update(emergency_phone="")

    assert "Аварийн" not in client.get("/").content.decode().split("</header>", 1)[0]


@pytest.mark.parametrize("slug", FIXED_PAGE_SLUGS)
def test_residents_never_read_a_note_to_staff_on_a_page(client, company, slug):
    page = text(client.get(reverse("public:page", args=[slug])))

    assert "образец" not in page.lower()
    assert "панели управления" not in page


def test_staff_are_reminded_to_replace_a_starting_text_until_they_save_their_own(client, company, operator):
    about = Page.objects.get(slug="about")
    sign_in_staff(client, operator)

    before = text(client.get("/about/"))
    client.post(
        reverse("admin:public_page_change", args=[about.pk]),
        {"title": "О компании", "body": "Мы управляем домами на улице Советской с 2005 года."},
    )
    after = text(client.get("/about/"))

    assert "Это начальный текст страницы" in before
    assert "Мы управляем домами на улице Советской с 2005 года." in after
    assert "Это начальный текст страницы" not in after
    assert not Page.objects.get(slug="about").is_sample


def test_tariffs_list_the_services_and_tariffs_of_the_latest_billing_month(client, company):
    account, other = AccountFactory(), AccountFactory()
    water = Service.objects.create(code="HVS", name="Холодное водоснабжение", unit="м³", order=20)
    upkeep = Service.objects.create(code="SOD", name="Содержание жилого помещения", unit="м²", order=10)
    Service.objects.create(code="GAS", name="Газоснабжение", unit="м³", order=30)  # nothing charged

    def charge(acc, service, period, tariff, volume):
        amount = (Decimal(tariff) * Decimal(volume)).quantize(Decimal("0.01"))
        Accrual.objects.create(
            account=acc, service=service, period=period, tariff=Decimal(tariff), volume=Decimal(volume),
            unit=service.unit, accrued=amount, to_pay=amount,
        )  # fmt: skip

    charge(account, water, date(2026, 10, 1), "49.10", "3")
    charge(account, water, date(2026, 11, 1), "51.35", "3")
    charge(account, upkeep, date(2026, 11, 1), "28.50", "54.3")
    charge(other, upkeep, date(2026, 11, 1), "31.20", "40")

    page = text(client.get("/tariffs/"))

    assert "По данным начислений за ноябрь 2026." in page
    assert "Содержание жилого помещения</th><td>от 28,50 ₽ до 31,20 ₽ за м²" in page
    assert "Холодное водоснабжение</th><td>51,35 ₽ за м³" in page
    assert "Газоснабжение</th><td>—" in page
    assert page.index("Содержание жилого помещения") < page.index("Холодное водоснабжение")
