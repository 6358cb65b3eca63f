"""The visitor's address: X-Forwarded-For is believed only from the trusted proxies."""

import pytest
from django.test import RequestFactory

from kabinet.core.clientip import client_ip

factory = RequestFactory()


def ip_of(remote: str, forwarded: str | None = None) -> str | None:
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_ip(factory.get("/", REMOTE_ADDR=remote, **extra))


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []

    assert ip_of("203.0.113.7", "198.51.100.1") == "203.0.113.7"


def test_the_proxy_passes_the_visitor(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]

    assert ip_of("127.0.0.1", "203.0.113.7") == "203.0.113.7"


def test_a_visitor_cannot_pose_as_someone_else_behind_the_proxy(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]

    # The visitor wrote «10.0.0.1»; nginx appended the address it really saw.
    assert ip_of("127.0.0.1", "10.0.0.1, 203.0.113.7") == "203.0.113.7"


def test_a_header_from_an_untrusted_peer_is_ignored(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]

    assert ip_of("203.0.113.7", "198.51.100.1") == "203.0.113.7"


def test_a_chain_of_trusted_proxies_is_walked_from_the_right(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "127.0.0.1/32"]

    assert ip_of("127.0.0.1", "1.2.3.4, 203.0.113.7, 10.0.0.5") == "203.0.113.7"


@pytest.mark.parametrize("forwarded", ["", "garbage", "203.0.113.7, not-an-ip"])
def test_a_missing_or_mangled_header_leaves_the_last_proxy(settings, forwarded):
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]

    assert ip_of("127.0.0.1", forwarded) == "127.0.0.1"


def test_ports_and_ipv6_forms_are_read(settings):
    settings.TRUSTED_PROXIES = ["::1/128", "127.0.0.1/32"]

    assert ip_of("::1", "[2001:db8::7]:51000") == "2001:db8::7"
    assert ip_of("127.0.0.1", "203.0.113.7:51000") == "203.0.113.7"
    assert ip_of("::ffff:127.0.0.1", "203.0.113.8") == "203.0.113.8"


def test_a_wrong_network_in_the_setting_says_which(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.TRUSTED_PROXIES = ["10.0.0.0/33"]

    with pytest.raises(ImproperlyConfigured, match="KABINET_TRUSTED_PROXIES"):
        ip_of("127.0.0.1", "203.0.113.7")
