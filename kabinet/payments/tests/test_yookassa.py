"""The ЮKassa adapter over real HTTP against a local server that speaks API v3."""

import base64
import socket
from decimal import Decimal

import pytest

from kabinet.payments.providers import ProviderError, YooKassa


def adapter(fake, **overrides) -> YooKassa:
    options = {"shop_id": fake.shop_id, "secret_key": fake.secret_key, "api_url": fake.api_url, "timeout": 5}
    return YooKassa(**{**options, **overrides})


def create(client: YooKassa, key: str = "8d6c3b1e-0000-4000-8000-000000000001", amount: str = "1234.5"):
    return client.create_payment(
        amount=Decimal(amount),
        description="Оплата ЖКУ, лицевой счёт 1000123456",
        return_url="http://127.0.0.1:8000/cabinet/pay/abc/?account=1000123456",
        idempotence_key=key,
        metadata={"account": "1000123456"},
    )


def test_a_payment_is_created_with_the_documented_request(yookassa):
    payment = create(adapter(yookassa))

    request = yookassa.requests[-1]
    token = base64.b64encode(b"123456:test_secret-key").decode()
    assert request["method"] == "POST" and request["path"] == "/v3/payments"
    assert request["headers"]["Authorization"] == f"Basic {token}"
    assert request["headers"]["Idempotence-Key"] == "8d6c3b1e-0000-4000-8000-000000000001"
    assert request["headers"]["Content-Type"] == "application/json"
    assert request["body"]["amount"] == {"value": "1234.50", "currency": "RUB"}
    assert request["body"]["confirmation"] == {
        "type": "redirect",
        "return_url": "http://127.0.0.1:8000/cabinet/pay/abc/?account=1000123456",
    }
    assert request["body"]["metadata"] == {"account": "1000123456"}
    assert request["body"]["capture"] is True
    assert payment.status == "pending" and not payment.succeeded
    assert payment.amount == Decimal("1234.50")
    assert payment.confirmation_url.startswith("https://")


def test_the_same_idempotence_key_gives_the_same_payment(yookassa):
    client = adapter(yookassa)

    first, again = create(client), create(client)
    other = create(client, key="8d6c3b1e-0000-4000-8000-000000000002")

    assert first.id == again.id != other.id
    assert len(yookassa.payments) == 2


def test_a_payment_is_read_back_with_its_state(yookassa):
    client = adapter(yookassa)
    payment = create(client)
    yookassa.pay(payment.id)

    read = client.get_payment(payment.id)

    assert yookassa.requests[-1]["method"] == "GET"
    assert yookassa.requests[-1]["path"] == f"/v3/payments/{payment.id}"
    assert read.succeeded and read.paid and read.amount == Decimal("1234.50")
    assert read.metadata == {"account": "1000123456"}


def test_wrong_credentials_are_refused_and_retrying_will_not_help(yookassa):
    with pytest.raises(ProviderError) as refused:
        create(adapter(yookassa, secret_key="wrong"))

    assert "401" in str(refused.value) and not refused.value.retryable
    assert yookassa.payments == {}


def test_an_unknown_payment_is_an_error(yookassa):
    with pytest.raises(ProviderError) as missing:
        adapter(yookassa).get_payment("2f0c2a1e-000f-5000-9000-1b68e7b15f3f")
    assert not missing.value.retryable


def test_a_provider_that_does_not_answer_can_be_retried():
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = YooKassa(shop_id="1", secret_key="s", api_url=f"http://127.0.0.1:{port}/v3", timeout=2)

    with pytest.raises(ProviderError) as failed:
        create(client)
    assert failed.value.retryable
