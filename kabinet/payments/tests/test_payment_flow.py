"""Paying in the cabinet: the form, the provider, the notification, the money on the account once."""

import json
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from kabinet.billing.models import Payment, PaymentSource
from kabinet.billing.selectors import account_summary
from kabinet.billing.tests.factories import AccountFactory
from kabinet.billing.tests.history import PASSWORD, make_history, resident_with
from kabinet.payments import services
from kabinet.payments.models import OnlinePayment


@pytest.fixture
def ivanov(company, ivanov_account):
    make_history(ivanov_account)
    return resident_with(ivanov_account)


@pytest.fixture
def signed_in(client, ivanov):
    assert client.login(username="1000123456", password=PASSWORD)
    return client


def notify(client, body: dict):
    return client.post(reverse("payments:notification"), json.dumps(body), content_type="application/json")


def start(signed_in, amount: str = "1 500,50") -> OnlinePayment:
    response = signed_in.post(reverse("payments:pay"), {"amount": amount})
    assert response.status_code == 302, response.content.decode()
    payment = OnlinePayment.objects.get()
    assert response["Location"] == payment.confirmation_url
    return payment


def test_the_form_offers_the_amount_due(signed_in):
    html = signed_in.get(reverse("payments:pay")).content.decode()

    assert 'value="14110,78"' in html
    assert "14\u00a0110,78\u00a0₽" in html


def test_paying_goes_to_yookassa_and_the_notification_puts_the_money_on_the_account(signed_in, yookassa):
    payment = start(signed_in, "1 500,50")
    request = yookassa.requests[-1]["body"]
    assert request["amount"] == {"value": "1500.50", "currency": "RUB"}
    assert request["metadata"]["account"] == "1000123456"
    assert request["confirmation"]["return_url"].endswith(
        f"/cabinet/pay/{payment.idempotence_key}/?account=1000123456"
    )
    assert payment.status == "pending" and payment.amount == Decimal("1500.50")

    yookassa.pay(payment.provider_payment_id)
    response = notify(signed_in, yookassa.notification(payment.provider_payment_id))

    assert response.status_code == 200
    payment.refresh_from_db()
    money = Payment.objects.get(source=PaymentSource.ONLINE)
    assert payment.status == "succeeded" and payment.billing_payment == money
    assert money.amount == Decimal("1500.50") and money.external_id == payment.provider_payment_id
    assert account_summary(payment.account).balance == Decimal("14110.78") - Decimal("1500.50")
    assert yookassa.requests[-1]["method"] == "GET"  # the notification was checked with the API


def test_the_same_notification_many_times_records_the_payment_once(signed_in, yookassa):
    payment = start(signed_in)
    yookassa.pay(payment.provider_payment_id)
    body = yookassa.notification(payment.provider_payment_id)

    statuses = [notify(signed_in, body).status_code for _ in range(4)]

    assert statuses == [200] * 4
    assert Payment.objects.filter(source=PaymentSource.ONLINE).count() == 1


def test_a_forged_notification_records_nothing(signed_in, yookassa):
    payment = start(signed_in)
    forged = yookassa.notification(payment.provider_payment_id)
    forged["object"].update(status="succeeded", paid=True)  # the provider itself still says pending

    assert notify(signed_in, forged).status_code == 200
    assert notify(signed_in, {"hello": "world"}).status_code == 400
    assert (
        signed_in.post(
            reverse("payments:notification"), "not json", content_type="application/json"
        ).status_code
        == 400
    )
    payment.refresh_from_db()
    assert payment.status == "pending"
    assert not Payment.objects.filter(source=PaymentSource.ONLINE).exists()


def test_a_canceled_payment_is_shown_as_not_paid(signed_in, yookassa):
    payment = start(signed_in)
    yookassa.cancel(payment.provider_payment_id)

    notify(signed_in, yookassa.notification(payment.provider_payment_id, "payment.canceled"))
    html = signed_in.get(reverse("payments:result", args=[payment.idempotence_key])).content.decode()

    assert "Платёж не прошёл" in html
    assert not Payment.objects.exists() or not Payment.objects.filter(source=PaymentSource.ONLINE).exists()


def test_returning_before_the_notification_asks_the_provider(signed_in, yookassa):
    payment = start(signed_in, "100")
    return_url = yookassa.payments[payment.provider_payment_id]["confirmation"]["return_url"]

    waiting = signed_in.get(return_url).content.decode()
    yookassa.pay(payment.provider_payment_id)
    paid = signed_in.get(return_url).content.decode()

    assert "Ждём подтверждения" in waiting
    assert "Оплата прошла" in paid and "100,00\u00a0₽ зачислены на лицевой счёт 1000123456" in paid
    history = signed_in.get(reverse("payments:history")).content.decode()
    assert "Онлайн-оплата в личном кабинете" in history


def test_a_provider_outage_is_said_plainly_and_nothing_is_charged(signed_in, settings):
    settings.PAYMENT_PROVIDER = "yookassa"
    settings.YOOKASSA_API_URL = "http://127.0.0.1:9/v3"  # the discard port: nobody answers

    html = signed_in.post(reverse("payments:pay"), {"amount": "500"}).content.decode()

    assert "Платёжный сервис сейчас не отвечает" in html
    assert OnlinePayment.objects.get().status == "created"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Введите сумму, которую хотите оплатить."),
        ("сто рублей", "Введите сумму цифрами"),
        ("12,345", "Введите сумму цифрами"),
        ("0,50", "не меньше 1,00\u00a0₽"),
        ("1000000", "не больше 300\u00a0000,00\u00a0₽"),
        ("-5", "не меньше 1,00\u00a0₽"),
    ],
)
def test_a_wrong_amount_gets_a_message_beside_the_field(signed_in, typed, message):
    html = signed_in.post(reverse("payments:pay"), {"amount": typed}).content.decode()

    assert message in html
    assert 'aria-describedby="id_amount_error' in html or "id_amount_error" in html
    assert not OnlinePayment.objects.exists()


@pytest.mark.parametrize("typed", ["1 500,50", "1500.50", "1500,5", "1\u00a0500,50\u00a0₽"])
def test_amounts_are_read_as_people_write_them(signed_in, typed):
    start(signed_in, typed)
    assert OnlinePayment.objects.get().amount == Decimal("1500.50")


def test_the_dev_provider_walks_the_whole_path_inside_kabinet(signed_in, settings):
    settings.PAYMENT_PROVIDER = "dev"
    payment = start(signed_in, "250")
    page = signed_in.get(payment.confirmation_url).content.decode()
    assert "Тестовая оплата" in page and "250,00\u00a0₽" in page

    response = signed_in.post(payment.confirmation_url, {"decision": "pay"}, follow=True)

    assert "Оплата прошла" in response.content.decode()
    assert Payment.objects.get(source=PaymentSource.ONLINE).amount == Decimal("250.00")
    signed_in.post(payment.confirmation_url, {"decision": "pay"})  # a second press changes nothing
    assert Payment.objects.filter(source=PaymentSource.ONLINE).count() == 1


def test_the_dev_provider_decline_leaves_the_debt(signed_in, settings):
    settings.PAYMENT_PROVIDER = "dev"
    payment = start(signed_in, "250")

    response = signed_in.post(payment.confirmation_url, {"decision": "decline"}, follow=True)

    assert "Платёж не прошёл" in response.content.decode()
    assert account_summary(payment.account).balance == Decimal("14110.78")


def test_another_households_payment_is_not_found(client, signed_in, settings, neighbour_account):
    settings.PAYMENT_PROVIDER = "dev"
    make_history(neighbour_account, months=1)
    neighbour = resident_with(neighbour_account)
    other = services.start_payment(
        account=neighbour_account, resident=neighbour, amount=Decimal("10"), site_url=""
    )

    assert signed_in.get(reverse("payments:result", args=[other.idempotence_key])).status_code == 404
    assert signed_in.get(other.confirmation_url).status_code == 404
    assert signed_in.post(other.confirmation_url, {"decision": "pay"}).status_code == 404
    assert signed_in.get(reverse("payments:pay"), {"account": neighbour_account.number}).status_code == 404
    assert (
        signed_in.get(reverse("payments:history"), {"account": neighbour_account.number}).status_code == 404
    )
    other.refresh_from_db()
    assert other.status == "pending"


def test_history_shows_only_the_chosen_account(client, company, ivanov_account):
    second = AccountFactory(number="1000123999", holder_name=ivanov_account.holder_name)
    make_history(ivanov_account, months=3)
    make_history(second, months=2)
    resident_with(ivanov_account, second)
    client.login(username="1000123456", password=PASSWORD)

    first = client.get(reverse("payments:history")).content.decode()
    other = client.get(reverse("payments:history"), {"account": second.number}).content.decode()

    assert first.count("Сбербанк Онлайн") == 2
    assert other.count("Сбербанк Онлайн") == 1


@pytest.mark.django_db(transaction=True)
def test_notifications_arriving_at_once_record_the_payment_once(company, ivanov_account, yookassa):
    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite of a test run locks whole tables; this runs on PostgreSQL")
    make_history(ivanov_account, months=2)
    before = account_summary(ivanov_account).balance
    resident = resident_with(ivanov_account)
    payment = services.start_payment(
        account=ivanov_account, resident=resident, amount=Decimal("700"), site_url=""
    )
    yookassa.pay(payment.provider_payment_id)
    barrier, errors = threading.Barrier(4), []

    def deliver() -> None:
        try:
            barrier.wait(timeout=10)
            services.confirm_payment(provider_payment_id=payment.provider_payment_id)
        except Exception as exc:  # collected for the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert Payment.objects.filter(source=PaymentSource.ONLINE).count() == 1
    assert account_summary(ivanov_account).balance == before - Decimal("700")


def test_a_provider_payment_of_another_sum_is_not_recorded(signed_in, yookassa):
    payment = start(signed_in, "1500")
    yookassa.pay(payment.provider_payment_id)
    yookassa.payments[payment.provider_payment_id]["amount"]["value"] = "15.00"

    response = notify(signed_in, yookassa.notification(payment.provider_payment_id))

    assert response.status_code == 400  # ЮKassa will repeat it; an operator sees the error in the log
    payment.refresh_from_db()
    assert payment.status == "pending"
    assert not Payment.objects.filter(source=PaymentSource.ONLINE).exists()
