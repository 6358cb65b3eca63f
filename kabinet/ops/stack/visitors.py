"""Residents' browsers for the drills: HTTPS to nginx, cookies and CSRF tokens, one connection each."""

import http.client
import re
import ssl
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

from .cluster import HTTPS_PORT

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_TLS = ssl.create_default_context()
_TLS.check_hostname = False
_TLS.verify_mode = ssl.CERT_NONE  # the stack's own self-signed certificate


@dataclass
class Answer:
    status: int
    location: str
    text: str


class Browser:
    def __init__(self, port: int = HTTPS_PORT) -> None:
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPSConnection | None = None

    def request(self, method: str, path: str, data: dict | None = None) -> Answer:
        """One request; a refused or dropped connection is an Answer with status 0."""
        body = urlencode(data).encode() if data is not None else None
        headers = {
            "Referer": self.origin + "/",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            if self.connection is None:
                self.connection = http.client.HTTPSConnection(
                    "127.0.0.1", self.port, timeout=30, context=_TLS
                )
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as error:
            self.close()
            return Answer(0, "", repr(error))
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return Answer(response.status, response.getheader("Location", ""), text)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
        self.connection = None


@dataclass
class Tally:
    """What the residents were told, per meter: accepted (302 back to the meters), or not."""

    accepted: set[int] = field(default_factory=set)
    refused: int = 0  # answered, but not «accepted» (an error page, 503 while the database is away)
    dropped: int = 0  # no answer at all (connection reset)
    retries: int = 0
    statuses: Counter = field(default_factory=Counter)  # of the answers that were not «accepted»
    samples: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Resident:
    def __init__(self, login: str, password: str, meters: list[int]) -> None:
        self.browser = Browser()
        self.login, self.password, self.meters = login, password, list(meters)
        self.token = ""

    def sign_in(self, attempts: int = 5) -> None:
        for _ in range(attempts):
            page = self.browser.request("GET", "/login/")
            token = CSRF.search(page.text)
            if token:
                answer = self.browser.request(
                    "POST", "/login/", {"csrfmiddlewaretoken": token.group(1), "username": self.login,
                                        "password": self.password},
                )  # fmt: skip
                page = self.browser.request("GET", "/cabinet/meters/")
                token = CSRF.search(page.text)
                if answer.status == 302 and token:
                    self.token = token.group(1)
                    return
            time.sleep(1)  # the site is away for a moment: a person waits and tries again
        raise RuntimeError(f"{self.login} could not sign in")

    def submit_all(self, tally: Tally, *, until: float, value: str = "101,250", retries: int = 8) -> None:
        """Each meter once; what was not answered «accepted» is sent again, as a person would
        after «временно недоступно», a second later (a bounded number of times)."""
        for meter in self.meters:
            for attempt in range(retries + 1):
                if time.monotonic() > until:
                    return
                answer = self.browser.request(
                    "POST",
                    f"/cabinet/meters/{meter}/",
                    {"csrfmiddlewaretoken": self.token, f"m{meter}-value_1": value},
                )
                if answer.status == 302 and "/cabinet/meters/" in answer.location:
                    with tally.lock:
                        tally.accepted.add(meter)
                    break
                with tally.lock:
                    tally.statuses[answer.status] += 1
                    if answer.status == 0:
                        tally.dropped += 1
                    else:
                        tally.refused += 1
                    if attempt < retries:
                        tally.retries += 1
                    if len(tally.samples) < 5:
                        tally.samples.append(f"{answer.status} {answer.text[:120]!r}")
                time.sleep(1)  # a person reads the page, then presses «Передать» again


def load(residents: list[Resident], tally: Tally, *, seconds: float = 120) -> list[threading.Thread]:
    until = time.monotonic() + seconds
    threads = [
        threading.Thread(target=r.submit_all, args=(tally,), kwargs={"until": until}) for r in residents
    ]
    for thread in threads:
        thread.start()
    return threads
