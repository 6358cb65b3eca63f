"""A waterius posts its JSON: the value is kept per meter and becomes the reading in the window."""

import json
import socket
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone

from kabinet.devices.models import Device, DeviceInput
from kabinet.meters.models import Reading
from kabinet.meters.tests.factories import ReadingFactory
from kabinet.meters.window import add_months

from .conftest import DEVICE_KEY, firmware_body, post, set_window


def raw_firmware_request(url: str, body: bytes, key: str) -> tuple[int, bytes]:
    """The request byte for byte as ESP8266HTTPClient writes it (sendHeader: the request line,
    Host, User-Agent, Connection, Accept-Encoding, then the added headers and Content-Length)."""
    parts = urlsplit(url)
    head = (
        f"POST {parts.path} HTTP/1.1\r\n"
        f"Host: {parts.hostname}:{parts.port}\r\n"
        "User-Agent: ESP8266HTTPClient\r\n"
        "Connection: close\r\n"
        "Accept-Encoding: identity;q=1,chunked;q=0.1,*;q=0\r\n"
        "Content-Type: application/json\r\n"
        f"Waterius-Token: {key}\r\n"
        "Waterius-Email: ivanov@mail.ru\r\n"
        f"Content-Length: {len(body)}\r\n"
        "\r\n"
    ).encode()
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as conn:
        conn.sendall(head + body)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    status = int(answer.split(b" ", 2)[1])
    return status, answer.split(b"\r\n\r\n", 1)[1]


@pytest.mark.django_db(transaction=True)
def test_a_post_byte_for_byte_as_the_firmware_sends_it_lands_and_is_submitted_when_the_window_opens(
    live_server, company, paired, hot_water, cold_water, window_closed
):
    from kabinet.devices.views import device_url

    device, token = paired
    url = live_server.url + urlsplit(device_url(token)).path
    status, answer = raw_firmware_request(url, firmware_body(), DEVICE_KEY)

    assert (status, json.loads(answer)) == (200, {"status": "ok"})
    hot, cold = DeviceInput.objects.get(meter=hot_water), DeviceInput.objects.get(meter=cold_water)
    assert (hot.value, cold.value) == (Decimal("123.456"), Decimal("234.567"))
    assert hot.serial == "21-123456" and hot.value_at is not None
    device.refresh_from_db()
    assert (device.battery, device.voltage, device.rssi, device.firmware) == (
        100,
        Decimal("3.103"),
        -67,
        "1.1.6",
    )
    assert not Reading.objects.exists()  # the window is closed: the value waits

    set_window(1, 31)
    call_command("submit_device_readings")

    period = timezone.localdate().replace(day=1)
    readings = {r.meter_id: r for r in Reading.objects.filter(period=period)}
    assert readings[hot_water.pk].value == Decimal("123.456")
    assert readings[cold_water.pk].value == Decimal("234.567")
    assert {r.source for r in readings.values()} == {Reading.Source.DEVICE}

    call_command("submit_device_readings")  # once per period: a second round sends nothing
    assert Reading.objects.count() == 2
    assert DeviceInput.objects.get(meter=hot_water).submitted_period == period


def test_in_the_window_the_post_itself_passes_the_reading_once_per_period(
    client, paired, hot_water, cold_water, window_open
):
    _device, token = paired
    assert post(client, token, firmware_body()).status_code == 200
    reading = Reading.objects.get(meter=hot_water)
    assert (reading.value, reading.source) == (Decimal("123.456"), Reading.Source.DEVICE)

    assert post(client, token, firmware_body(ch0="123.789")).status_code == 200
    hot = DeviceInput.objects.get(meter=hot_water)
    assert hot.value == Decimal("123.789")  # the latest value is kept…
    reading.refresh_from_db()
    assert reading.value == Decimal("123.456")  # …but the month's reading was passed once


def test_with_sending_turned_off_the_value_is_kept_and_no_reading_is_made(
    client, paired, hot_water, cold_water, window_open
):
    DeviceInput.objects.filter(meter=hot_water).update(auto_submit=False)
    _device, token = paired
    assert post(client, token, firmware_body()).status_code == 200
    assert DeviceInput.objects.get(meter=hot_water).value == Decimal("123.456")
    assert not Reading.objects.filter(meter=hot_water).exists()
    assert Reading.objects.filter(meter=cold_water).exists()
    call_command("submit_device_readings")
    assert not Reading.objects.filter(meter=hot_water).exists()


def test_the_residents_own_reading_of_the_month_is_not_replaced(client, paired, hot_water, window_open):
    period = timezone.localdate().replace(day=1)
    ReadingFactory(meter=hot_water, period=period, value=Decimal("120.000"), source=Reading.Source.RESIDENT)
    _device, token = paired
    post(client, token, firmware_body())
    reading = Reading.objects.get(meter=hot_water, period=period)
    assert (reading.value, reading.source) == (Decimal("120.000"), Reading.Source.RESIDENT)


def test_a_refused_value_is_kept_with_its_reason_and_a_newer_one_is_tried_again(
    client, paired, hot_water, window_open
):
    last_month = add_months(timezone.localdate(), -1)
    ReadingFactory(meter=hot_water, period=last_month, value=Decimal("130.000"), consumption=Decimal(5))
    _device, token = paired
    post(client, token, firmware_body(ch0="125.000"))
    hot = DeviceInput.objects.get(meter=hot_water)
    assert hot.refusal_code == "lower_than_previous"
    assert "меньше предыдущего" in hot.refusal
    assert not Reading.objects.filter(meter=hot_water, period=timezone.localdate().replace(day=1)).exists()

    post(client, token, firmware_body(ch0="131.500"))
    hot.refresh_from_db()
    assert hot.refusal == "" and hot.submitted_value == Decimal("131.500")


def test_a_value_older_than_three_days_is_not_passed_when_the_window_opens(paired, hot_water, window_closed):
    DeviceInput.objects.filter(meter=hot_water).update(
        value=Decimal("123.456"), value_at=timezone.now() - timedelta(days=4)
    )
    set_window(1, 31)
    call_command("submit_device_readings")
    assert not Reading.objects.exists()


def test_older_firmware_puts_the_token_in_waterius_token_and_posts_to_the_plain_address(
    client, paired, hot_water, window_closed
):
    _device, token = paired
    response = post(client, token, firmware_body(), key=token, path="/devices/waterius/")
    assert response.status_code == 200
    assert DeviceInput.objects.get(meter=hot_water).value == Decimal("123.456")


def test_the_address_works_with_a_final_slash_too(client, paired, hot_water, window_closed):
    _device, token = paired
    assert post(client, token, firmware_body(), path=f"/devices/waterius/{token}/").status_code == 200


# --- Who may post ------------------------------------------------------------------------------


def test_a_wrong_token_is_refused_with_401_json(client, paired, window_open):
    response = post(client, "AAAAAAAAAAAAAAAA", firmware_body())
    assert response.status_code == 401
    assert response.json()["error"] == "unknown_token"
    assert not Reading.objects.exists()
    response = client.post("/devices/waterius/", firmware_body(), content_type="application/json")
    assert response.status_code == 401


def test_the_first_devices_key_is_pinned_and_another_device_on_the_same_address_gets_403(
    client, paired, hot_water, window_closed
):
    _device, token = paired
    assert post(client, token, firmware_body()).status_code == 200
    response = post(client, token, firmware_body(ch0="999.000"), key="another-device-key-000000000000")
    assert response.status_code == 403
    assert response.json()["error"] == "wrong_device"
    assert DeviceInput.objects.get(meter=hot_water).value == Decimal("123.456")


def test_a_renewed_address_stops_the_old_one_and_pins_the_next_device(client, paired, window_closed):
    from kabinet.devices import services

    device, token = paired
    post(client, token, firmware_body())
    new_token = services.renew_token(device=device)
    assert post(client, token, firmware_body()).status_code == 401
    assert post(client, new_token, firmware_body(), key="the-new-device-key").status_code == 200


def test_a_device_token_posts_only_for_its_own_meters(
    client, paired, neighbour, neighbour_account, window_open
):
    """The neighbour's device posts the same JSON (even naming Ivanov's serials and key): only the
    neighbour's meter changes, Ivanov's inputs and readings stay as they were."""
    from kabinet.devices import services
    from kabinet.meters.tests.factories import MeterFactory

    their_meter = MeterFactory(account=neighbour_account, serial_number="77-000001")
    their_device, their_token = services.pair_device(resident=neighbour, name="Ватериус")
    services.set_inputs(device=their_device, choices=[services.InputChoice(channel=0, meter=their_meter)])

    assert post(client, their_token, firmware_body(ch0="150.000")).status_code == 200
    assert DeviceInput.objects.get(meter=their_meter).value == Decimal("150.000")
    assert Reading.objects.get().meter == their_meter
    ivanov_device, _ = paired
    assert all(i.value is None for i in ivanov_device.inputs.all())
    assert Device.objects.get(pk=ivanov_device.pk).last_seen_at is None


def test_the_address_answers_other_methods_with_405_json(client, paired):
    _device, token = paired
    response = client.get(f"/devices/waterius/{token}")
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"


# --- Malformed bodies --------------------------------------------------------------------------

MALFORMED = [
    (b"", "malformed_json"),
    (b"not json", "malformed_json"),
    (b'{"ch0": 1.5', "malformed_json"),
    (b"[1, 2, 3]", "malformed_json"),
    (b'"ch0"', "malformed_json"),
    (b"null", "malformed_json"),
    (b'{"ch0": NaN}', "malformed_json"),
    (b'{"ch0": Infinity, "ch1": 1}', "malformed_json"),
    (b"\xff\xfe\x00garbage", "malformed_json"),
    (b"[" * 100000 + b"]" * 100000, "too_large"),
    (b'{"delta0": 5}', "no_values"),
    (b'{"ch0": null, "ch1": null}', "no_values"),
    (b'{"ch0": "abc"}', "bad_value"),
    (b'{"ch0": -1}', "bad_value"),
    (b'{"ch0": true}', "bad_value"),
    (b'{"ch0": {"v": 1}}', "bad_value"),
    (b'{"ch0": [1]}', "bad_value"),
    (b'{"ch0": 1e400}', "bad_value"),
    (b'{"ch0": 12345678901234567890}', "bad_value"),
]


@pytest.mark.parametrize(("body", "code"), MALFORMED, ids=range(len(MALFORMED)))
def test_a_malformed_body_gets_400_json_and_changes_nothing(
    client, paired, hot_water, window_open, body, code
):
    _device, token = paired
    response = post(client, token, body)
    assert response.status_code in (400, 413)
    assert response.json()["error"] == code
    assert response.json()["message"]
    assert DeviceInput.objects.get(meter=hot_water).value is None
    assert not Reading.objects.exists()


def test_strange_but_harmless_fields_are_ignored(client, paired, hot_water, window_closed):
    device, token = paired
    body = firmware_body(
        battery='"много"', rssi="null", voltage='"3,1"', serial0="12", version_esp="[1]", extra='{"a":[1,2]}'
    )
    assert post(client, token, body).status_code == 200
    device.refresh_from_db()
    assert (device.battery, device.rssi, device.voltage) == (None, None, Decimal("3.1"))
    assert DeviceInput.objects.get(meter=hot_water).serial == "12"
