"""Payment providers: ЮKassa's HTTP API, and a development provider for `make run`.

Both answer the same two questions — «create a payment» and «what is the state of payment X» —
so the services never know which one is in use. The notification (webhook) is never trusted by
itself: the services read the payment back through `get_payment` before recording anything.

ЮKassa API v3 (https://yookassa.ru/developer/api): HTTP Basic auth `shopId:secretKey`, an
`Idempotence-Key` header on POST, amounts as strings with two decimals, currency RUB.
"""

import base64
import json
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.urls import reverse


class ProviderError(Exception):
    """The provider did not do what was asked. `retryable`: trying again later may help."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True)
class ProviderPayment:
    """A payment as the provider reports it."""

    id: str
    status: str  # pending | waiting_for_capture | succeeded | canceled (ЮKassa's words)
    amount: Decimal
    currency: str
    paid: bool
    confirmation_url: str = ""
    metadata: dict = field(default_factory=dict)

    @property
    def succeeded(self) -> bool:
        return self.status == "succeeded" and self.paid


def money_string(amount: Decimal) -> str:
    """ЮKassa wants the amount as a string with exactly two decimals: "1234.56"."""
    return f"{amount.quantize(Decimal('0.01')):.2f}"


def _parse(data: dict) -> ProviderPayment:
    try:
        return ProviderPayment(
            id=str(data["id"]),
            status=str(data["status"]),
            amount=Decimal(str(data["amount"]["value"])),
            currency=str(data["amount"]["currency"]),
            paid=bool(data.get("paid", False)),
            confirmation_url=str((data.get("confirmation") or {}).get("confirmation_url", "")),
            metadata=dict(data.get("metadata") or {}),
        )
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise ProviderError(f"unexpected payment object from the provider: {exc!r}", retryable=False) from exc


class YooKassa:
    name = "yookassa"
    title = "ЮKassa"

    def __init__(self, *, shop_id: str, secret_key: str, api_url: str, timeout: float = 20) -> None:
        self.api_url = api_url.rstrip("/")
        token = base64.b64encode(f"{shop_id}:{secret_key}".encode()).decode("ascii")
        self._auth = f"Basic {token}"
        self.timeout = timeout

    def create_payment(
        self, *, amount: Decimal, description: str, return_url: str, idempotence_key: str, metadata: dict
    ) -> ProviderPayment:
        body = {
            "amount": {"value": money_string(amount), "currency": "RUB"},
            "capture": True,  # one-stage payment: the money is taken when the resident pays
            "confirmation": {"type": "redirect", "return_url": return_url},
            "description": description[:128],  # the API's limit
            "metadata": metadata,
        }
        return _parse(self._call("POST", "/payments", body, idempotence_key=idempotence_key))

    def get_payment(self, payment_id: str) -> ProviderPayment:
        if not payment_id.replace("-", "").isalnum():
            raise ProviderError("not a payment id", retryable=False)
        return _parse(self._call("GET", f"/payments/{payment_id}"))

    def _call(self, method: str, path: str, body: dict | None = None, *, idempotence_key: str = "") -> dict:
        headers = {"Authorization": self._auth, "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json"
        if idempotence_key:
            headers["Idempotence-Key"] = idempotence_key
        request = urllib.request.Request(self.api_url + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            # ЮKassa: 429 and 5xx may pass on a retry with the same Idempotence-Key; 4xx will not.
            detail = exc.read()[:500].decode("utf-8", "replace")
            raise ProviderError(
                f"HTTP {exc.code}: {detail}", retryable=exc.code == 429 or exc.code >= 500
            ) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise ProviderError(f"no answer from the provider: {exc}", retryable=True) from exc
        except ValueError as exc:
            raise ProviderError("the provider's answer is not JSON", retryable=True) from exc


class DevProvider:
    """Development only: the «provider» is a page inside Kabinet with «Оплатить» / «Отказаться».

    Its state lives in `DevProviderPayment` rows, so the web process and the worker see the same.
    """

    name = "dev"
    title = "тестовый (для разработки)"

    def create_payment(
        self, *, amount: Decimal, description: str, return_url: str, idempotence_key: str, metadata: dict
    ) -> ProviderPayment:
        from .models import DevProviderPayment

        row, _ = DevProviderPayment.objects.get_or_create(
            idempotence_key=idempotence_key,
            defaults={
                "provider_id": str(uuid.uuid4()),
                "amount": amount,
                "description": description,
                "return_url": return_url,
                "metadata": metadata,
            },
        )
        return self._payment(row)

    def get_payment(self, payment_id: str) -> ProviderPayment:
        from .models import DevProviderPayment

        row = DevProviderPayment.objects.filter(provider_id=payment_id).first()
        if row is None:
            raise ProviderError("no such payment", retryable=False)
        return self._payment(row)

    def _payment(self, row) -> ProviderPayment:
        url = reverse("payments:dev_confirm", args=[row.provider_id])  # same site: a relative URL
        return ProviderPayment(
            id=row.provider_id,
            status=row.status,
            amount=row.amount,
            currency="RUB",
            paid=row.status == "succeeded",
            confirmation_url=url,
            metadata=row.metadata,
        )


def provider_title(name: str) -> str:
    """The back-office's word for a provider stored by its name."""
    return {p.name: p.title for p in (YooKassa, DevProvider)}.get(name, name)


def get_provider() -> YooKassa | DevProvider:
    if settings.PAYMENT_PROVIDER == "yookassa":
        return YooKassa(
            shop_id=settings.YOOKASSA_SHOP_ID,
            secret_key=settings.YOOKASSA_SECRET_KEY,
            api_url=settings.YOOKASSA_API_URL,
        )
    return DevProvider()
