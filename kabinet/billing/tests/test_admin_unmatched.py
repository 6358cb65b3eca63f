"""«Неразнесённые платежи» in the back-office: an operator finds a payment and puts it on an account."""

import datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from kabinet.audit.models import AuditEntry
from kabinet.billing.models import AccountPeriod, Payment, UnmatchedPayment
from kabinet.billing.tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[3] / "docs" / "samples"
NOV = datetime.date(2026, 11, 1)


@pytest.fixture
def waiting():
    """Petrova's account is known; the registry's second payment names 1000009999, which is not."""
    AccountFactory(number="1000000002")
    out = StringIO()
    call_command(
        "import_billing", "sber-registry", str(SAMPLES / "sber-short.txt"), "--no-progress", stdout=out
    )
    return UnmatchedPayment.objects.get()


def test_the_list_is_searched_by_what_the_bank_wrote(admin_client, waiting):
    found = admin_client.get("/admin/billing/unmatchedpayment/", {"q": "Кузьмин"})
    missed = admin_client.get("/admin/billing/unmatchedpayment/", {"q": "Петрова"})
    waiting_only = admin_client.get("/admin/billing/unmatchedpayment/", {"status__exact": "waiting"})

    assert found.status_code == 200
    assert "Кузьмин Пётр Ильич" in found.text
    assert "лицевой счёт 1000009999 не найден" in found.text
    assert "Кузьмин" not in missed.text
    assert "Кузьмин Пётр Ильич" in waiting_only.text


def test_an_operator_assigns_a_payment_to_an_account(admin_client, waiting):
    AccountFactory(number="1000000077")

    response = admin_client.post(
        f"/admin/billing/unmatchedpayment/{waiting.pk}/change/",
        {"account_number": "1000000077", "period_text": "10.2026"},
        follow=True,
    )

    said = "Платёж 500,00\u00a0₽ от 21 ноября 2026 зачислен на лицевой счёт 1000000077; сальдо пересчитано."
    assert said in response.text
    payment = Payment.objects.get(account__number="1000000077")
    assert (payment.amount, payment.period, payment.external_id) == (
        Decimal("500.00"),
        datetime.date(2026, 10, 1),
        waiting.external_id,
    )
    assert AccountPeriod.objects.get(account__number="1000000077").paid == Decimal("500.00")
    waiting.refresh_from_db()
    assert (waiting.status, waiting.payment) == (UnmatchedPayment.Status.ASSIGNED, payment)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.PAYMENT_ASSIGNED)
    assert entry.target == "л/с 1000000077"
    assert entry.details["в файле"] == "1000009999"
    # The registry loaded again brings it neither as a payment nor as unmatched.
    out = StringIO()
    call_command(
        "import_billing", "sber-registry", str(SAMPLES / "sber-short.txt"), "--no-progress", stdout=out
    )
    assert "записано 0, уже были 2, неразнесённых 0" in out.getvalue()
    assert Payment.objects.count() == 2


def test_an_unknown_account_is_refused_beside_the_field(admin_client, waiting):
    response = admin_client.post(
        f"/admin/billing/unmatchedpayment/{waiting.pk}/change/", {"account_number": "99", "period_text": ""}
    )

    assert response.status_code == 200
    assert "Лицевой счёт «99» не найден." in response.text
    assert UnmatchedPayment.objects.get().status == UnmatchedPayment.Status.WAITING


def test_the_action_assigns_those_whose_accounts_are_now_known(admin_client, waiting):
    AccountFactory(number="1000009999")  # the accounts file came after the registry

    response = admin_client.post(
        "/admin/billing/unmatchedpayment/",
        {"action": "assign_known", "_selected_action": [waiting.pk]},
        follow=True,
    )

    assert "Зачислено платежей: 1." in response.text
    assert Payment.objects.get(account__number="1000009999").period == NOV
    assert AuditEntry.objects.filter(action=AuditEntry.Action.PAYMENT_ASSIGNED).count() == 1


def test_the_action_says_what_it_could_not_assign(admin_client, waiting):
    response = admin_client.post(
        "/admin/billing/unmatchedpayment/",
        {"action": "assign_known", "_selected_action": [waiting.pk]},
        follow=True,
    )

    assert (
        "Зачислено платежей: 0. Не зачислено: 1 — их лицевых счетов в Кабинете нет; "
        "откройте платёж и укажите счёт вручную."
    ) in response.text


def test_the_upload_form_offers_the_registry_profiles(admin_client):
    page = admin_client.get("/admin/billing/importjob/add/")

    assert "Реестр платежей банка" in page.text
    assert "Сбербанк, 12 полей, итоговая строка «=» (sber-short)" in page.text


def test_a_profile_of_another_kind_is_refused_beside_the_field(admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("accounts.csv", b"account_number\r\n1\r\n")
    page = admin_client.post(
        "/admin/billing/importjob/add/", {"kind": "accounts", "profile": "sber-short", "upload": upload}
    )

    assert "У вида «Лицевые счета» нет такого профиля: выберите «определить по файлу»." in page.text
