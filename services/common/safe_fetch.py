"""Fetching a file a client named by URL (an Open311 `media_url`) without becoming its proxy into
the town's network.

- http and https only, no user:password@, at most MAX_REDIRECTS redirects, each checked again;
- the host name is resolved once and every address must be public (no loopback, private, link-local,
  multicast or reserved address: no cloud metadata, no database, no admin port). The connection is
  made to the address that was checked, so a DNS answer that changes between the check and the
  connection cannot steer it inside (TLS still verifies the certificate for the host name);
- a time limit for the whole fetch, a size cap (Content-Length and the bytes actually read) and a
  type sniffed from the bytes (services/common/files/sniff.py), never the server's Content-Type.

FETCH_ALLOWED_NETWORKS (a setting, empty in production) lets tests reach a server on loopback.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
import urllib.parse

from django.conf import settings

from .files.sniff import sniff_bytes

MAX_REDIRECTS = 3
TIMEOUT_SECONDS = 8.0


class FetchRefused(Exception):
    """The URL may not be fetched or its answer is not acceptable; the message says why (English)."""


def _allowed_extra(address) -> bool:
    return any(address in ipaddress.ip_network(n, strict=False) for n in getattr(settings, "FETCH_ALLOWED_NETWORKS", []))


def _public_address(host: str, port: int) -> str:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchRefused(f"host {host} does not resolve") from exc
    addresses = {ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos}
    for address in addresses:
        if not (address.is_global and not address.is_multicast) and not _allowed_extra(address):
            raise FetchRefused(f"host {host} resolves to a non-public address")
    if not addresses:
        raise FetchRefused(f"host {host} does not resolve")
    return str(sorted(addresses, key=lambda a: a.version)[0])


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)


def fetch(url: str, *, max_bytes: int, allowed_types: tuple[str, ...]) -> tuple[bytes, str, str]:
    """(content, sniffed type, file name) of `url`, or FetchRefused."""
    deadline = time.monotonic() + TIMEOUT_SECONDS
    for _hop in range(MAX_REDIRECTS + 1):
        parts = urllib.parse.urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchRefused("media_url must be an http or https URL")
        if parts.username or parts.password:
            raise FetchRefused("media_url must not carry a user name or password")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:
            raise FetchRefused("media_url has an invalid port") from exc
        address = _public_address(parts.hostname, port)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchRefused("media_url took too long")
        kind = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
        conn = kind(parts.hostname, port, address, remaining)
        try:
            path = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
            conn.request("GET", path, headers={"User-Agent": "Thongthin-Open311/1", "Accept": "image/*"})
            response = conn.getresponse()
            if response.status in (301, 302, 303, 307, 308) and response.getheader("Location"):
                url = urllib.parse.urljoin(url, response.getheader("Location"))
                continue
            if response.status != 200:
                raise FetchRefused(f"media_url answered HTTP {response.status}")
            declared = response.getheader("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FetchRefused(f"media_url is larger than {max_bytes // (1024 * 1024)} MB")
            content = _read_capped(response, max_bytes, deadline)
        except (OSError, http.client.HTTPException) as exc:
            raise FetchRefused(f"media_url could not be fetched ({exc.__class__.__name__})") from exc
        finally:
            conn.close()
        content_type = sniff_bytes(content[:8192])
        if content_type not in allowed_types:
            raise FetchRefused(f"media_url is not an accepted image (it is {content_type})")
        name = (parts.path.rsplit("/", 1)[-1] or "media")[:100]
        return content, content_type, name
    raise FetchRefused("media_url redirects too many times")


def _read_capped(response, max_bytes: int, deadline: float) -> bytes:
    chunks, total = [], 0
    while True:
        if time.monotonic() > deadline:
            raise FetchRefused("media_url took too long")
        chunk = response.read(64 * 1024)
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > max_bytes:
            raise FetchRefused(f"media_url is larger than {max_bytes // (1024 * 1024)} MB")
        chunks.append(chunk)
