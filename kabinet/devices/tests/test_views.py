"""The devices page in the profile, and what the readings page says about a device."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kabinet.audit.models import AuditEntry
from kabinet.devices.models import Device, DeviceInput
from kabinet.meters.tests.factories import MeterFactory

from .conftest import PASSWORD, firmware_body, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, ivanov):
    assert client.login(username="1000123456", password=PASSWORD)
    return client


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_pairing_shows_the_address_once_and_keeps_only_a_hash_of_the_token(signed_in, ivanov, hot_water):
    response = signed_in.post("/cabinet/profile/devices/", {"name": "Ватериус в ванной"})
    assert response.status_code == 200
    device = Device.objects.get(resident=ivanov)
    url = re.search(r"http://[^<\s]+/devices/waterius/([A-Za-z0-9_-]{16})", response.content.decode())
    assert url is not None and len(url.group(0)) <= 63
    token = url.group(1)
    assert token not in device.token_hash and device.token_hint == token[-4:]
    assert response["Cache-Control"].startswith("no-store") or "no-store" in response["Cache-Control"]
    assert "показывается один раз" in text(response)
    assert token not in signed_in.get("/cabinet/profile/devices/").content.decode()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.DEVICE_PAIRED).exists()


def test_the_resident_picks_the_meter_of_each_input_and_turns_sending_off(
    signed_in, ivanov, hot_water, cold_water
):
    from kabinet.devices import services

    device, _ = services.pair_device(resident=ivanov, name="Ватериус")
    prefix = f"device-{device.pk}"
    response = signed_in.post(
        f"/cabinet/profile/devices/{device.pk}/inputs/",
        {f"{prefix}-meter_0": hot_water.pk, f"{prefix}-auto_0": "on", f"{prefix}-meter_1": cold_water.pk},
    )
    assert response.status_code == 302
    inputs = {i.channel: i for i in device.inputs.all()}
    assert (inputs[0].meter, inputs[0].auto_submit) == (hot_water, True)
    assert (inputs[1].meter, inputs[1].auto_submit) == (cold_water, False)

    response = signed_in.post(
        f"/cabinet/profile/devices/{device.pk}/inputs/",
        {f"{prefix}-meter_0": hot_water.pk, f"{prefix}-meter_1": hot_water.pk},
    )
    assert response.status_code == 400
    assert "Один прибор учёта нельзя подключить к двум входам." in text(response)


def test_a_meter_of_another_household_is_not_offered_nor_taken(
    signed_in, ivanov, hot_water, neighbour_account
):
    from kabinet.devices import services

    theirs = MeterFactory(account=neighbour_account, serial_number="77-000001")
    device, _ = services.pair_device(resident=ivanov, name="Ватериус")
    page = signed_in.get("/cabinet/profile/devices/")
    assert "77-000001" not in page.content.decode()
    response = signed_in.post(
        f"/cabinet/profile/devices/{device.pk}/inputs/", {f"device-{device.pk}-meter_0": theirs.pk}
    )
    assert response.status_code == 400
    assert "Выберите прибор учёта из списка." in text(response)
    assert not DeviceInput.objects.exists()


def test_another_households_device_is_a_404(signed_in, neighbour):
    from kabinet.devices import services

    theirs, _ = services.pair_device(resident=neighbour, name="Чужой")
    for action in ("inputs", "token", "remove"):
        assert signed_in.post(f"/cabinet/profile/devices/{theirs.pk}/{action}/").status_code == 404
    assert Device.objects.filter(pk=theirs.pk).exists()
    assert "Чужой" not in signed_in.get("/cabinet/profile/devices/").content.decode()


def test_unpairing_stops_the_address(signed_in, client, paired, window_open):
    device, token = paired
    response = signed_in.post(f"/cabinet/profile/devices/{device.pk}/remove/")
    assert response.status_code == 302
    assert not Device.objects.exists() and not DeviceInput.objects.exists()
    assert post(client, token, firmware_body()).status_code == 401


def test_the_readings_page_shows_the_device_value_and_that_it_was_passed(
    signed_in, client, paired, hot_water, window_open
):
    _, token = paired
    post(client, token, firmware_body())
    page = text(signed_in.get("/cabinet/meters/"))
    assert "123,456 м³ по данным устройства на" in page
    assert "передано устройством автоматически" in page


def test_the_readings_page_says_the_value_waits_for_the_window(signed_in, client, paired, window_closed):
    _, token = paired
    post(client, token, firmware_body())
    page = text(signed_in.get("/cabinet/meters/"))
    assert "123,456 м³ по данным устройства на" in page
    assert "будет передано автоматически, когда откроется приём" in page


def test_a_refusal_is_shown_to_the_resident(signed_in, client, paired, hot_water, window_open):
    from kabinet.meters.tests.factories import ReadingFactory
    from kabinet.meters.window import add_months

    ReadingFactory(meter=hot_water, period=add_months(timezone.localdate(), -1), value=Decimal("130.000"))
    _, token = paired
    post(client, token, firmware_body(ch0="125.000"))
    for url in ("/cabinet/meters/", "/cabinet/profile/devices/"):
        page = text(signed_in.get(url))
        assert "Устройство не смогло передать показание: Показание меньше предыдущего (130,000)." in page


@pytest.mark.parametrize(
    ("changes", "shown"),
    [
        ({"battery": "18"}, True),
        ({"voltage_low": "true", "battery": "0"}, True),
        ({"battery": "25"}, False),
        ({"battery": "100"}, False),
    ],
)
def test_a_low_battery_is_shown(signed_in, client, paired, window_closed, changes, shown):
    _, token = paired
    post(client, token, firmware_body(**changes))
    assert ("садятся батарейки" in text(signed_in.get("/cabinet/meters/"))) is shown
    assert ("Батарейки садятся" in text(signed_in.get("/cabinet/profile/devices/"))) is shown


def test_a_device_silent_for_three_days_is_shown(signed_in, client, paired, window_closed):
    device, token = paired
    post(client, token, firmware_body())
    assert "молчит" not in text(signed_in.get("/cabinet/meters/"))
    Device.objects.filter(pk=device.pk).update(last_seen_at=timezone.now() - timedelta(days=3, hours=1))
    for url in ("/cabinet/meters/", "/cabinet/profile/devices/"):
        assert "молчит с" in text(signed_in.get(url))


def test_the_profile_links_to_the_devices_page(signed_in):
    assert "/cabinet/profile/devices/" in signed_in.get("/cabinet/profile/").content.decode()
