"""Outbound transport to agencies outside the platform: JSON over HTTPS with signed headers.

HttpTransport is the real one (urllib, TLS verified by the system store). Tests point an agency's
endpoint at a local HTTP server, so the same code path runs end to end.
"""

from __future__ import annotations

import urllib.error
import urllib.request

TIMEOUT_SECONDS = 20


class TransportError(Exception):
    """The agency did not take the message; the delivery is retried."""


def post_json(url: str, body: bytes, headers: dict[str, str]) -> int:
    if not url.lower().startswith(("https://", "http://")):
        raise TransportError(f"unsupported endpoint: {url!r}")
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (scheme checked)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as exc:
        raise TransportError(f"HTTP {exc.code} from {url}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise TransportError(f"{url}: {exc}") from exc
