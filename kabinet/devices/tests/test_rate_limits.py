"""The device's address within limits: guessed keys and floods are refused with 429 and
Retry-After, per IP (as kabinet.core.clientip reads it) and per address; a real device never is."""

import logging
from decimal import Decimal

import pytest

from kabinet.core import counters
from kabinet.devices import services
from kabinet.devices.models import Device, DeviceInput

from .conftest import firmware_body, post

ATTACKER = "203.0.113.66"
FLAT = "198.51.100.12"
GUESS = "AAAAAAAAAAAAAAAA"


def limits(settings, **changed: tuple[int, int]) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, **changed}


def assert_refused(response, words: str) -> None:
    assert response.status_code == 429
    assert response.json()["error"] == "rate_limited"
    assert words in response.json()["message"]
    assert "Попробуйте снова через" in response.json()["message"]
    assert 0 < int(response["Retry-After"]) <= 3600


def test_guessing_keys_from_one_ip_is_refused_with_429_and_nothing_is_kept(
    client, settings, paired, hot_water, window_open, caplog
):
    limits(settings, device_ip_failures=(3, 3600))
    _device, token = paired
    for _ in range(3):
        assert post(client, GUESS, firmware_body(), REMOTE_ADDR=ATTACKER).status_code == 401

    with caplog.at_level(logging.WARNING, logger="kabinet.devices.views"):
        refused = post(client, GUESS, firmware_body(), REMOTE_ADDR=ATTACKER)
        # The answer does not depend on the key: a right one from that IP learns nothing either.
        right_key = post(client, token, firmware_body(), REMOTE_ADDR=ATTACKER)

    assert_refused(refused, "неизвестным ключом")
    assert_refused(right_key, "неизвестным ключом")
    assert [r.limit for r in caplog.records if r.name == "kabinet.devices.views"] == [
        "device_ip_failures",
        "device_ip_failures",
    ]
    assert DeviceInput.objects.get(meter=hot_water).value is None
    assert Device.objects.get().posts == 0
    # The flats' devices elsewhere post as before.
    assert post(client, token, firmware_body(), REMOTE_ADDR=FLAT).status_code == 200


def test_a_devices_own_posts_are_not_counted_as_guesses(client, settings, paired, window_closed):
    limits(settings, device_ip_failures=(2, 3600))
    _device, token = paired
    for _ in range(5):
        assert post(client, token, firmware_body(), REMOTE_ADDR=FLAT).status_code == 200
    assert post(client, GUESS, firmware_body(), REMOTE_ADDR=FLAT).status_code == 401


def test_a_wrong_device_on_a_pinned_address_counts_as_a_guess(client, settings, paired, window_closed):
    limits(settings, device_ip_failures=(2, 3600))
    _device, token = paired
    assert post(client, token, firmware_body(), REMOTE_ADDR=FLAT).status_code == 200  # pins its key
    for key in ("guess-1", "guess-2"):
        assert post(client, token, firmware_body(), key=key, REMOTE_ADDR=ATTACKER).status_code == 403
    assert_refused(post(client, token, firmware_body(), key="guess-3", REMOTE_ADDR=ATTACKER), "ключом")


def test_a_flood_to_one_address_is_refused_from_any_ip_and_the_values_are_not_kept(
    client, settings, paired, hot_water, window_closed
):
    limits(settings, device_token=(3, 3600))
    _device, token = paired
    for _ in range(3):
        assert post(client, token, firmware_body(ch0="100.000"), REMOTE_ADDR=FLAT).status_code == 200

    assert_refused(post(client, token, firmware_body(ch0="555.000"), REMOTE_ADDR=FLAT), "адресу устройства")
    assert_refused(post(client, token, firmware_body(ch0="555.000"), REMOTE_ADDR=ATTACKER), "адресу")
    assert DeviceInput.objects.get(meter=hot_water).value == Decimal("100.000")
    assert Device.objects.get().posts == 3


def test_older_firmware_with_the_key_in_the_header_is_limited_per_address_too(
    client, settings, paired, window_closed
):
    limits(settings, device_token=(2, 3600))
    _device, token = paired
    for _ in range(2):
        assert post(client, token, firmware_body(), key=token, path="/devices/waterius/").status_code == 200
    refused = post(client, token, firmware_body(), key=token, path="/devices/waterius/")
    assert_refused(refused, "адресу устройства")


def test_a_flood_from_one_ip_over_several_addresses_is_refused(
    client, settings, ivanov, paired, window_closed
):
    limits(settings, device_ip=(3, 3600))
    _device, token = paired
    _other, other_token = services.pair_device(resident=ivanov, name="Ватериус на кухне")
    assert post(client, token, firmware_body(), REMOTE_ADDR=ATTACKER).status_code == 200
    assert post(client, other_token, firmware_body(), REMOTE_ADDR=ATTACKER).status_code == 200
    assert post(client, token, firmware_body(), REMOTE_ADDR=ATTACKER).status_code == 200

    assert_refused(post(client, other_token, firmware_body(), REMOTE_ADDR=ATTACKER), "С этого IP-адреса")
    assert post(client, other_token, firmware_body(), REMOTE_ADDR=FLAT).status_code == 200


def test_behind_a_trusted_proxy_each_visitor_is_counted_apart(client, settings, paired, window_closed):
    """nginx on the same server: X-Forwarded-For names the visitor, as for the log-in's limits."""
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    limits(settings, device_ip_failures=(2, 3600))
    _device, token = paired
    for _ in range(2):
        post(client, GUESS, firmware_body(), REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=ATTACKER)

    refused = post(client, GUESS, firmware_body(), REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=ATTACKER)
    flat = post(client, token, firmware_body(), REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=FLAT)

    assert refused.status_code == 429
    assert flat.status_code == 200


def test_a_forged_forwarded_for_from_anyone_else_changes_nothing(client, settings, paired, window_closed):
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    limits(settings, device_ip_failures=(2, 3600))
    for n in range(2):
        forged = f"192.0.2.{n}"
        post(client, GUESS, firmware_body(), REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=forged)

    refused = post(client, GUESS, firmware_body(), REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert refused.status_code == 429


def test_a_device_set_to_wake_every_minute_is_never_refused_with_the_default_limits(
    client, paired, hot_water, window_closed
):
    """The fastest schedule an owner is likely to set (wakeup_per_min = 1) for an hour, behind a
    provider's NAT where a neighbour's device has an outdated address and tries three times."""
    _device, token = paired
    for _ in range(3):
        assert post(client, GUESS, firmware_body(), REMOTE_ADDR=FLAT).status_code == 401
    for minute in range(60):
        value = f"{100 + minute}.000"
        assert post(client, token, firmware_body(ch0=value), REMOTE_ADDR=FLAT).status_code == 200
    assert DeviceInput.objects.get(meter=hot_water).value == Decimal("159.000")


def test_while_redis_is_away_device_posts_are_counted_in_the_database(
    client, settings, paired, window_closed
):
    settings.RATE_LIMIT_REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens on port 9
    limits(settings, device_token=(2, 3600))
    _device, token = paired
    try:
        assert post(client, token, firmware_body(), REMOTE_ADDR=FLAT).status_code == 200
        assert post(client, token, firmware_body(), REMOTE_ADDR=FLAT).status_code == 200
        assert post(client, token, firmware_body(), REMOTE_ADDR=FLAT).status_code == 429
    finally:
        counters._redis_store.cache_clear()


@pytest.mark.parametrize("method", ["get", "put"])
def test_other_methods_are_not_counted(client, settings, paired, method):
    limits(settings, device_ip=(1, 3600))
    _device, token = paired
    for _ in range(3):
        assert getattr(client, method)(f"/devices/waterius/{token}", REMOTE_ADDR=FLAT).status_code == 405
    assert post(client, token, firmware_body(), REMOTE_ADDR=FLAT).status_code == 200
