"""A local server that speaks SMS.ru's HTTP API (https://sms.ru/api/send), for tests.

It answers `POST|GET /sms/send` (api_id, to, msg, json=1) as SMS.ru documents it — a JSON body
with the overall status and, per number, a status and an `sms_id` — and keeps every SMS it
accepted, so that a test counts what really arrived (and how many times).
"""

import contextlib
import json
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class ReceivedSms:
    phone: str
    text: str
    sms_id: str


@dataclass
class SmsRuState:
    api_id: str
    delay: float = 0.0  # seconds each answer takes, like a provider under load
    received: list[ReceivedSms] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def total(self) -> int:
        with self.lock:
            return len(self.received)

    def counts(self) -> Counter:
        with self.lock:
            return Counter((sms.phone, sms.text) for sms in self.received)


def _answer(state: SmsRuState, params: dict[str, str]) -> dict:
    if params.get("api_id") != state.api_id:
        return {"status": "ERROR", "status_code": 200, "status_text": "Неправильный api_id"}
    text = params.get("msg", "")
    if not text:
        return {"status": "ERROR", "status_code": 203, "status_text": "Нет текста сообщения"}
    per_number = {}
    for phone in filter(None, params.get("to", "").split(",")):
        if not (phone.isdigit() and len(phone) == 11 and phone.startswith("7")):
            per_number[phone] = {
                "status": "ERROR",
                "status_code": 202,
                "status_text": "Неправильно указан номер",
            }
            continue
        sms_id = f"{uuid.uuid4().int % 10**6:06d}-{uuid.uuid4().int % 10**7:07d}"
        with state.lock:
            state.received.append(ReceivedSms(phone=phone, text=text, sms_id=sms_id))
        per_number[phone] = {"status": "OK", "status_code": 100, "sms_id": sms_id}
    return {"status": "OK", "status_code": 100, "sms": per_number, "balance": 4122.56}


class _Handler(BaseHTTPRequestHandler):
    server: "SmsRuServer"

    def do_GET(self) -> None:
        self._handle(urlsplit(self.path).query)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._handle(self.rfile.read(length).decode())

    def _handle(self, query: str) -> None:
        if urlsplit(self.path).path != "/sms/send":
            self._reply(200, {"status": "ERROR", "status_code": 211, "status_text": "Метод не найден"})
            return
        params = {key: values[0] for key, values in parse_qs(query, keep_blank_values=True).items()}
        if self.server.state.delay:
            time.sleep(self.server.state.delay)
        self._reply(200, _answer(self.server.state, params))

    def _reply(self, status: int, payload: dict) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        # The client may have died waiting (a killed worker): the SMS stays accepted, as at SMS.ru.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def log_message(self, format, *args) -> None:  # keep test output quiet
        pass


class SmsRuServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, state: SmsRuState, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.state = state
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def stop(self) -> None:
        """Go down: the port refuses connections until a new server takes it."""
        self.shutdown()
        self.server_close()
        self._thread.join()
