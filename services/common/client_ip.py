"""Who is on the other end of a request: one answer for every limiter.

Behind nginx the TCP peer (REMOTE_ADDR) is nginx itself, and X-Forwarded-For is whatever the client
wrote followed by what each proxy appended. Only the proxies named in TRUSTED_PROXIES
(THONGTHIN_TRUSTED_PROXIES: addresses or networks, comma-separated) are believed: the header is read
from the right, skipping trusted hops, and the first address that is not a trusted proxy is the
client. A request whose peer is not a trusted proxy is its own client, whatever its headers say.

ClientAddressMiddleware writes that address into REMOTE_ADDR before anything else runs, so DRF's
throttles (NUM_PROXIES = 0: they read REMOTE_ADDR), the rate limiters, django-axes
(AXES_CLIENT_IP_CALLABLE) and the audit trail all count the same person. The peer address is kept
in META["THONGTHIN_PEER_ADDR"]. nginx (infra/nginx) and gunicorn (infra/gunicorn.conf.py) are set up
to match: nginx replaces the header with the address it saw, gunicorn trusts the same list.
"""

from __future__ import annotations

import functools
import ipaddress

from django.conf import settings

PEER_KEY = "THONGTHIN_PEER_ADDR"


@functools.cache
def _networks(entries: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    return address is not None and any(address in network for network in networks)


def resolve_client_ip(peer: str, forwarded_for: str, trusted: tuple[str, ...] | list[str]) -> str:
    """The client's address from the TCP peer and the X-Forwarded-For header, believing only `trusted`."""
    networks = _networks(tuple(trusted))
    current = _address(peer)
    if not _trusted(current, networks):
        return str(current) if current is not None else peer
    for hop in reversed([part for part in forwarded_for.split(",") if part.strip()]):
        address = _address(hop)
        if address is None:
            break  # garbage in the header: stop believing it, keep the last trusted hop we know
        current = address
        if not _trusted(address, networks):
            break
    return str(current) if current is not None else peer


def client_ip(request) -> str:
    """The client's address for this request (after ClientAddressMiddleware, REMOTE_ADDR)."""
    if PEER_KEY in request.META:
        return request.META.get("REMOTE_ADDR", "")
    return resolve_client_ip(
        request.META.get("REMOTE_ADDR", ""),
        request.META.get("HTTP_X_FORWARDED_FOR", ""),
        settings.TRUSTED_PROXIES,
    )


class ClientAddressMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if PEER_KEY not in request.META:
            peer = request.META.get("REMOTE_ADDR", "")
            request.META["REMOTE_ADDR"] = client_ip(request)
            request.META[PEER_KEY] = peer
        return self.get_response(request)


def axes_client_ip(request) -> str:
    """django-axes' view of the client (AXES_CLIENT_IP_CALLABLE): the same address."""
    return client_ip(request)
