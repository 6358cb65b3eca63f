"""The visitor's IP address, the one every per-IP limit and every audit entry uses.

Behind a reverse proxy `REMOTE_ADDR` is the proxy: all visitors would share one IP counter, and
twenty wrong passwords would lock the site for everyone. The proxy passes the visitor's address
in `X-Forwarded-For`, but anyone can send that header, so it is believed only from the proxies
named in `KABINET_TRUSTED_PROXIES` (networks, e.g. `127.0.0.1/32,10.0.0.0/8`). The header is
read from the right: each trusted proxy appends the address it saw, so the first address from
the right that is not a trusted proxy is the visitor. Whatever a visitor wrote further left is
never reached. With no trusted proxies the header is ignored.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def networks(spec: tuple[str, ...], setting: str = "KABINET_TRUSTED_PROXIES") -> tuple[Network, ...]:
    """A setting's list of networks, parsed once; a wrong entry names the setting it came from."""
    try:
        return tuple(ipaddress.ip_network(item, strict=False) for item in spec)
    except ValueError as error:
        raise ImproperlyConfigured(f"{setting}: {error}") from None


def trusted_networks(spec: tuple[str, ...]) -> tuple[Network, ...]:
    return networks(spec, "KABINET_TRUSTED_PROXIES")


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.7:5123"
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    # An IPv4 visitor seen through an IPv6 socket: one spelling per visitor, one counter.
    return getattr(address, "ipv4_mapped", None) or address


def _is_trusted(address, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)


def address_in(address: str | None, spec: list[str], setting: str) -> bool:
    """Whether an address (as `client_ip` gives it) lies in one of the setting's networks."""
    parsed = _address(address or "")
    return parsed is not None and _is_trusted(parsed, networks(tuple(spec), setting))


def from_trusted_proxy(request: HttpRequest) -> bool:
    """Whether the peer itself (not whoever it forwards) is one of KABINET_TRUSTED_PROXIES."""
    return address_in(request.META.get("REMOTE_ADDR"), settings.TRUSTED_PROXIES, "KABINET_TRUSTED_PROXIES")


def client_ip(request: HttpRequest) -> str | None:
    """The visitor's address as a string, or None when the request carries none we can read."""
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return None
    networks = trusted_networks(tuple(settings.TRUSTED_PROXIES))
    if not networks or not _is_trusted(peer, networks):
        return str(peer)
    # Several X-Forwarded-For headers reach Django joined by commas, in the order they came.
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            # A mangled entry: nothing to its left can be trusted. The last proxy that wrote a
            # readable entry stands for the visitor, so the limits still count someone.
            break
        if not _is_trusted(address, networks):
            return str(address)
        peer = address
    return str(peer)
