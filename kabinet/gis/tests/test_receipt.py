"""Once ГИС ЖКХ's identifiers are imported, the resident's receipt and charges page show them."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from kabinet.billing.tests.factories import AccountFactory
from kabinet.billing.tests.history import PASSWORD, fill_payment_details, make_history, resident_with
from kabinet.billing.tests.test_payment_document_pdf import pdf_pages

from .samples import ACCOUNTS_SAMPLE


@pytest.mark.django_db
def test_the_receipt_shows_the_els_and_the_service_id_once_imported(client, company):
    fill_payment_details(company)
    account = AccountFactory(number="1000123456")
    make_history(account)
    resident_with(account)
    assert client.login(username=account.number, password=PASSWORD)
    url = reverse("billing:payment_document_pdf", args=[date(2026, 10, 1)])
    _, before = pdf_pages(client.get(url).content)

    # The sample names four accounts; this test has one of them.
    call_command(
        "import_gis", "accounts", str(ACCOUNTS_SAMPLE), "--skip-bad", stdout=StringIO(), stderr=StringIO()
    )

    _, after = pdf_pages(client.get(url).content)
    charges = client.get(reverse("billing:charges")).content.decode()
    assert "ЕЛС" not in before
    assert "ЕЛС в ГИС ЖКХ: 69ТВ123456" in after and "Идентификатор ЖКУ: 69ТВ123456-01" in after
    assert "69ТВ123456-01" in charges
