"""The consent names the operator of personal data (152-ФЗ ст. 9 ч. 4 п. 2), and the record keeps it."""

import pytest

from kabinet.core.models import Company
from kabinet.residents.models import Consent, PolicyDocument
from kabinet.testing import submit_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_company(company) -> Company:
    Company.objects.filter(pk=1).update(
        name="ООО «Уютный дом»",
        legal_address="170100, г. Тверь, ул. Советская, д. 10",
        inn="6950123450",
        ogrn="1026900123458",
    )
    return Company.load()


def test_the_consent_residents_accept_names_the_operator_its_address_inn_and_ogrn(client, operator_company):
    page = " ".join(client.get("/documents/consent/").content.decode().split())

    assert (
        "даю согласие оператору персональных данных — ООО «Уютный дом», адрес: 170100, г. Тверь, "
        "ул. Советская, д. 10, ИНН 6950123450, ОГРН 1026900123458 (далее — Оператор)"
    ) in page
    assert "{оператор}" not in page


def test_an_acceptance_keeps_the_operator_its_text_named_then(
    operator_company, published_policies, ivanov_account
):
    request = submit_request()
    Company.objects.filter(pk=1).update(legal_address="170001, г. Тверь, ул. Новая, д. 1")

    consent = Consent.objects.get(registration_request=request, document__kind="consent")

    assert consent.document == PolicyDocument.current("consent")
    assert "170100, г. Тверь, ул. Советская, д. 10" in consent.operator_details
    assert "ОГРН 1026900123458" in consent.operator_details


def test_the_earlier_edition_accepted_before_stays_as_it_was(operator_company):
    first = PolicyDocument.objects.get(kind="consent", version="2025-09-01")

    assert "{оператор}" not in first.text
    assert PolicyDocument.current("consent").version == "2026-12-04"
