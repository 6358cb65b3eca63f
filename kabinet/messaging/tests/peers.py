"""Real peers for delivery tests, started and stopped by the tests themselves.

Kannel from Debian's packages: bearerbox, smsbox and `fakesmsc` standing in for the operator's
SMSC, all on loopback ports picked free at run time. Readiness is polled with a deadline.
"""

import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BEARERBOX = shutil.which("bearerbox") or "/usr/sbin/bearerbox"
SMSBOX = shutil.which("smsbox") or "/usr/sbin/smsbox"
FAKESMSC = "/usr/lib/kannel/test/fakesmsc"
KANNEL_BINARIES = (BEARERBOX, SMSBOX, FAKESMSC)


def kannel_missing() -> str:
    """Why Kannel tests cannot run here, or "" when they can."""
    missing = [path for path in KANNEL_BINARIES if not Path(path).is_file()]
    if missing:
        return f"Kannel is not installed ({', '.join(missing)} missing): `make kannel` installs it"
    return ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition: Callable[[], object], *, timeout: float = 30, what: str = "condition"):
    """Poll until `condition()` is truthy and return it; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout} s for {what}")
        time.sleep(0.05)


def http_get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")
    except OSError:
        return 0, ""


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@dataclass
class SmscMessage:
    sender: str
    receiver: str
    text: str
    segments: int


# fakesmsc prints each MT message as «Got message N: <sender receiver [udh UDH] type data>».
_GOT = re.compile(r"Got message \d+: <(\S+) (\S+) (?:udh (\S+) )?(\S+) (.*)>$")


def _bytes(data: str) -> bytes:
    return urllib.parse.unquote_to_bytes(data.replace("+", " "))


def _decode(kind: str, raw: bytes) -> str:
    # Kabinet sends Cyrillic as UCS-2 and fakesmsc shows those parts as «ucs-2» or, inside a
    # concatenated SMS, as «data»: both are UTF-16BE bytes.
    return raw.decode("latin-1") if kind == "text" else raw.decode("utf-16-be")


def _join(parts: list[re.Match]) -> list[SmscMessage]:
    """Reassemble concatenated SMS by their UDH (IEI 00: reference, total, sequence)."""
    messages, pending = [], {}
    for m in parts:
        sender, receiver, udh, kind, data = m.groups()
        raw = data.encode("latin-1") if kind == "text" else _bytes(data)
        if not udh:
            messages.append(SmscMessage(sender, receiver, _decode(kind, raw), 1))
            continue
        header = _bytes(udh)
        ref, total, seq = header[3], header[4], header[5]
        chunks = pending.setdefault((sender, receiver, ref), {})
        chunks[seq] = raw
        if len(chunks) == total:
            text = _decode(kind, b"".join(chunks[i] for i in sorted(chunks)))
            messages.append(SmscMessage(sender, receiver, text, total))
            del pending[(sender, receiver, ref)]
    return messages


CONFIG = """\
group = core
admin-port = {admin_port}
admin-password = {admin_password}
admin-allow-ip = 127.0.0.1
smsbox-port = {smsbox_port}
box-allow-ip = 127.0.0.1
log-file = {dir}/bearerbox.log
log-level = 0
dlr-storage = internal
store-type = spool
store-location = {dir}/store

group = smsc
smsc = fake
smsc-id = operator
port = {smsc_port}
connect-allow-ip = 127.0.0.1

group = smsbox
bearerbox-host = 127.0.0.1
sendsms-port = {sendsms_port}
sendsms-interface = 127.0.0.1
log-file = {dir}/smsbox.log
log-level = 0

group = sendsms-user
username = {username}
password = {password}
max-messages = 2
concatenation = true
"""


class Kannel:
    """bearerbox + smsbox + fakesmsc in a temporary directory."""

    username = "kabinet"
    password = "kannel-test-secret"
    admin_password = "kannel-admin"

    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.admin_port, self.smsbox_port, self.smsc_port, self.sendsms_port = (free_port() for _ in range(4))
        self.processes: list[subprocess.Popen] = []
        self.smsc_log = directory / "fakesmsc.log"

    @property
    def sendsms_url(self) -> str:
        return f"http://127.0.0.1:{self.sendsms_port}/cgi-bin/sendsms"

    def status(self) -> str:
        url = f"http://127.0.0.1:{self.admin_port}/status.txt?password={self.admin_password}"
        return http_get(url)[1]

    def start(self) -> None:
        (self.dir / "store").mkdir()
        config = self.dir / "kannel.conf"
        ports = {
            name: getattr(self, name) for name in ("admin_port", "smsbox_port", "smsc_port", "sendsms_port")
        }
        config.write_text(CONFIG.format(dir=self.dir, **ports, **self._credentials()))
        self._spawn("bearerbox", [BEARERBOX, "-v", "4", str(config)])
        wait_for(lambda: "Status: running" in self.status(), what="bearerbox admin status")
        self._spawn("smsbox", [SMSBOX, "-v", "4", str(config)])
        wait_for(lambda: port_open(self.sendsms_port), what="smsbox sendsms port")
        # fakesmsc is the operator's SMSC: it connects to bearerbox and prints what it receives.
        self._spawn(
            "fakesmsc", [FAKESMSC, "-H", "127.0.0.1", "-r", str(self.smsc_port), "-m", "0", "x y text z"]
        )
        wait_for(
            lambda: re.search(r"operator\[.*\(online", self.status()), what="fakesmsc online in bearerbox"
        )

    def _credentials(self) -> dict[str, str]:
        return {"username": self.username, "password": self.password, "admin_password": self.admin_password}

    def _spawn(self, name: str, command: list[str]) -> None:
        log = open(self.dir / f"{name}.out", "wb")  # noqa: SIM115 — lives as long as the process
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=self.dir)
        self.processes.append(process)

    def received(self) -> list[SmscMessage]:
        """What reached the operator's SMSC: whole messages, their parts put together."""
        path = self.dir / "fakesmsc.out"
        lines = path.read_text("utf-8", "replace").splitlines() if path.exists() else []
        return _join([m for m in map(_GOT.search, lines) if m])

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.send_signal(signal.SIGTERM)
        for process in reversed(self.processes):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
