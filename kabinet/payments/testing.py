"""A local ЮKassa for tests: an HTTP server on a free port that speaks API v3's payments calls.

It checks what the real API checks (Basic auth, the Idempotence-Key, the amount as a string with
two decimals, currency RUB, a redirect confirmation with return_url) and answers as it does,
so the adapter is exercised over real HTTP. Tests move a payment on as a resident would: `pay()`
or `cancel()`.
"""

import base64
import json
import re
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

AMOUNT = re.compile(r"^\d{1,10}\.\d{2}$")


def _error(code: str, description: str) -> dict:
    return {"type": "error", "id": str(uuid.uuid4()), "code": code, "description": description}


class FakeYooKassa:
    def __init__(self, shop_id: str = "123456", secret_key: str = "test_secret-key") -> None:
        self.shop_id, self.secret_key = shop_id, secret_key
        self.payments: dict[str, dict] = {}
        self.by_key: dict[str, str] = {}
        self.requests: list[dict] = []  # every request as received: method, path, headers, body
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v3"

    def start(self) -> "FakeYooKassa":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def pay(self, payment_id: str) -> None:
        with self.lock:
            self.payments[payment_id].update(
                status="succeeded", paid=True, captured_at="2026-11-25T03:00:00.000Z"
            )

    def cancel(self, payment_id: str) -> None:
        with self.lock:
            self.payments[payment_id].update(
                status="canceled",
                cancellation_details={"party": "yoo_money", "reason": "expired_on_confirmation"},
            )

    def notification(self, payment_id: str, event: str = "payment.succeeded") -> dict:
        """The body ЮKassa POSTs to the shop's webhook URL."""
        with self.lock:
            return {"type": "notification", "event": event, "object": dict(self.payments[payment_id])}

    # --- the API ---------------------------------------------------------------------------
    def _authorised(self, header: str) -> bool:
        expected = base64.b64encode(f"{self.shop_id}:{self.secret_key}".encode()).decode()
        return header == f"Basic {expected}"

    def _create(self, headers, body: dict) -> tuple[int, dict]:
        key = headers.get("Idempotence-Key", "")
        if not key or len(key) > 64:
            return 400, _error("invalid_request", "Idempotence-Key header is required")
        amount = body.get("amount") or {}
        if not isinstance(amount.get("value"), str) or not AMOUNT.match(amount["value"]):
            return 400, _error("invalid_request", "amount.value must be a string like 1234.56")
        if amount.get("currency") != "RUB":
            return 400, _error("invalid_request", "amount.currency must be RUB")
        confirmation = body.get("confirmation") or {}
        if confirmation.get("type") != "redirect" or not confirmation.get("return_url"):
            return 400, _error("invalid_request", "confirmation.type redirect with return_url is required")
        with self.lock:
            if key in self.by_key:  # the same request again: the same payment, nothing new
                return 200, self.payments[self.by_key[key]]
            payment_id = f"{uuid.uuid4().hex[:8]}-000f-5000-9000-{uuid.uuid4().hex[:12]}"
            payment = {
                "id": payment_id,
                "status": "pending",
                "paid": False,
                "amount": {"value": amount["value"], "currency": "RUB"},
                "confirmation": {
                    "type": "redirect",
                    "return_url": confirmation["return_url"],
                    "confirmation_url": f"https://yoomoney.example/checkout/payments/v2/contract?orderId={payment_id}",
                },
                "created_at": "2026-11-25T03:00:00.000Z",
                "description": body.get("description", ""),
                "metadata": body.get("metadata", {}),
                "recipient": {"account_id": self.shop_id, "gateway_id": "100500"},
                "refundable": False,
                "test": True,
            }
            self.payments[payment_id] = payment
            self.by_key[key] = payment_id
            return 200, payment

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, status: int, data: dict) -> None:
                raw = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def _record(self, body) -> bool:
                fake.requests.append(
                    {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
                )
                if not fake._authorised(self.headers.get("Authorization", "")):
                    self._answer(401, _error("invalid_credentials", "Authentication error"))
                    return False
                return True

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None
                if not self._record(body):
                    return
                if self.path != "/v3/payments" or not isinstance(body, dict):
                    self._answer(400, _error("invalid_request", "bad request"))
                    return
                self._answer(*fake._create(self.headers, body))

            def do_GET(self) -> None:
                if not self._record(None):
                    return
                match = re.fullmatch(r"/v3/payments/([\w-]+)", self.path)
                with fake.lock:
                    payment = match and fake.payments.get(match.group(1))
                    payment = dict(payment) if payment else None
                if payment is None:
                    self._answer(404, _error("not_found", "Payment not found"))
                else:
                    self._answer(200, payment)

            def log_message(self, *args) -> None:  # keep the test output clean
                pass

        return Handler
