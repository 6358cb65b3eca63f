"""Fixtures for delivery tests: the peers at the edge of the world, each a real local server."""

import pytest

from .peers import Kannel, free_port, kannel_missing
from .smsru_server import SmsRuServer, SmsRuState

SMSRU_API_ID = "A1B2C3D4-0000-1111-2222-333344445555"


@pytest.fixture
def smsru(settings):
    """A local SMS.ru, and Kabinet's settings pointing at it."""
    state = SmsRuState(api_id=SMSRU_API_ID)
    server = SmsRuServer(state)
    settings.SMS_GATEWAY = "smsru"
    settings.SMSRU_URL = server.url
    settings.SMSRU_API_ID = SMSRU_API_ID
    settings.SMS_TIMEOUT = 5
    yield server
    if server.socket.fileno() != -1:
        server.stop()


@pytest.fixture
def kannel(tmp_path, settings):
    """Kannel's bearerbox and smsbox with fakesmsc as the operator, and Kabinet pointing at them."""
    reason = kannel_missing()
    if reason:
        pytest.skip(reason)
    gateway = Kannel(tmp_path)
    try:
        gateway.start()
        settings.SMS_GATEWAY = "kannel"
        settings.KANNEL_SENDSMS_URL = gateway.sendsms_url
        settings.KANNEL_USERNAME = gateway.username
        settings.KANNEL_PASSWORD = gateway.password
        settings.KANNEL_DLR_TOKEN = "dlr-token-7f3a9c"
        settings.SMS_TIMEOUT = 5
        yield gateway
    finally:
        gateway.stop()


class SmtpPeer:
    """aiosmtpd on a loopback port; keeps the raw bytes of every message, across restarts."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[bytes] = []
        self.controller = None

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(envelope.original_content)
        return "250 Message accepted for delivery"

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server():
    """An SMTP server (aiosmtpd) on a free loopback port that keeps what it receives."""
    peer = SmtpPeer()
    peer.start()
    yield peer
    peer.stop()
