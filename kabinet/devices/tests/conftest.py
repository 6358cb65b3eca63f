"""Ivanov's flat with two water meters and a waterius; the neighbour with a device of their own."""

import json

import pytest
from django.utils import timezone

from kabinet.core.models import User
from kabinet.devices import services
from kabinet.devices.services import InputChoice
from kabinet.meters.models import ReadingSchedule, Resource
from kabinet.meters.tests.factories import MeterFactory
from kabinet.residents.models import Resident, ResidentAccount

PASSWORD = "Sunflower-Tver-1961"
# The key the firmware made for itself from the e-mail (generateSha256Token): sent in
# `Waterius-Token` with every post.
DEVICE_KEY = "a3f49c0d6e1b2a7c58e9d0f1b2c3d4e5"


def set_window(opens_day: int, closes_day: int) -> None:
    schedule = ReadingSchedule.load()
    schedule.opens_day, schedule.closes_day = opens_day, closes_day
    schedule.save()


@pytest.fixture
def window_open(db) -> None:
    set_window(1, 31)


@pytest.fixture
def window_closed(db) -> None:
    day = 2 if timezone.localdate().day != 2 else 3
    set_window(day, day)


@pytest.fixture
def ivanov(ivanov_account) -> Resident:
    user = User.objects.create_user("1000123456", password=PASSWORD, email="ivanov@mail.ru")
    resident = Resident.objects.create(user=user, full_name="Иванов Иван Иванович", phone="+79123456789")
    ResidentAccount.objects.create(resident=resident, account=ivanov_account)
    return resident


@pytest.fixture
def hot_water(ivanov_account):
    return MeterFactory(
        account=ivanov_account, serial_number="21-123456", service=Resource.HOT_WATER, place="ванная"
    )


@pytest.fixture
def cold_water(ivanov_account):
    return MeterFactory(account=ivanov_account, serial_number="21-654321", place="ванная")


@pytest.fixture
def paired(ivanov, hot_water, cold_water):
    """Ivanov's waterius: input 0 feeds the hot-water meter, input 1 the cold-water one."""
    device, token = services.pair_device(resident=ivanov, name="Ватериус в ванной")
    services.set_inputs(
        device=device,
        choices=[InputChoice(channel=0, meter=hot_water), InputChoice(channel=1, meter=cold_water)],
    )
    return device, token


@pytest.fixture
def neighbour(neighbour_account) -> Resident:
    user = User.objects.create_user("1000123457", password=PASSWORD)
    resident = Resident.objects.create(user=user, full_name="Петрова Анна Сергеевна")
    ResidentAccount.objects.create(resident=resident, account=neighbour_account)
    return resident


def firmware_body(ch0: str = "123.456", ch1: str = "234.567", **changes) -> bytes:
    """The JSON waterius 1.1 posts, field for field in the order of ESP8266/src/json.cpp, compact
    as ArduinoJson's serializeJson writes it. Values are written as the firmware prints them."""
    fields = [
        ("delta0", "12"), ("delta1", "35"), ("ch0", ch0), ("ch1", ch1),
        ("ch0_start", "100.5"), ("ch1_start", "200.25"), ("imp0", "2296"), ("imp1", "3431"),
        ("f0", "10"), ("f1", "10"), ("adc0", "72"), ("adc1", "65"),
        ("serial0", '"21-123456"'), ("serial1", '"21-654321"'),
        ("ctype0", "0"), ("ctype1", "0"), ("cname0", "1"), ("cname1", "0"),
        ("data_type0", "1"), ("data_type1", "0"),
        ("voltage", "3.103"), ("voltage_low", "false"), ("voltage_diff", "0.012"), ("battery", "100"),
        ("channel", "6"), ("wifi_phy_mode", '"N"'), ("wifi_phy_mode_s", '"N"'),
        ("wifi_connect_errors", "0"), ("wifi_connect_attempt", "1"),
        ("router_mac", '"1C:61:B4:00:00:00"'), ("rssi", "-67"), ("mac", '"A4:CF:12:F3:5B:2E"'),
        ("ip", "1677830336"), ("dhcp", "true"), ("version", "33"), ("version_esp", '"1.1.6"'),
        ("esp_id", "15949102"), ("flash_id", "1458400"), ("freemem", "24488"),
        ("timestamp", '"2026-12-15T07:12:44+0000"'), ("waketime", "1840"),
        ("period_min_tuned", "1440"), ("period_min", "1440"), ("setuptime", "96812"),
        ("boot", "2"), ("resets", "0"), ("mode", "2"), ("setup_finished", "1"),
        ("setup_started", "1"), ("ntp_errors", "0"),
        ("key", json.dumps(DEVICE_KEY)), ("email", '"ivanov@mail.ru"'),
        ("mqtt", "false"), ("ha", "false"), ("http", "true"), ("company", '""'), ("place", '""'),
    ]  # fmt: skip
    fields = [(name, changes.pop(name, value)) for name, value in fields]
    fields += list(changes.items())
    return ("{" + ",".join(f'"{name}":{value}' for name, value in fields) + "}").encode()


def post(client, token: str, body: bytes, *, key: str = DEVICE_KEY, path: str | None = None, **meta):
    """A post as the firmware's HTTPClient makes it: POST, JSON, its key in `Waterius-Token`
    (`meta`: more of the request's environ, e.g. REMOTE_ADDR)."""
    return client.generic(
        "POST",
        path or f"/devices/waterius/{token}",
        body,
        content_type="application/json",
        HTTP_WATERIUS_TOKEN=key,
        HTTP_WATERIUS_EMAIL="ivanov@mail.ru",
        HTTP_USER_AGENT="ESP8266HTTPClient",
        **meta,
    )
