"""Signatures of messages exchanged with agencies outside the platform.

Every HTTP message carries four headers; the signature is HMAC-SHA256 over
`<timestamp>.<nonce>.<raw body>` with the key shared with that agency. The receiver refuses a
timestamp more than MAX_SKEW_SECONDS away from its clock and a nonce it has already seen.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

HEADER_AGENCY = "X-Exchange-Agency"
HEADER_TIMESTAMP = "X-Exchange-Timestamp"
HEADER_NONCE = "X-Exchange-Nonce"
HEADER_SIGNATURE = "X-Exchange-Signature"
MAX_SKEW_SECONDS = 300


def signature(key: str, timestamp: str, nonce: str, body: bytes) -> str:
    message = timestamp.encode() + b"." + nonce.encode() + b"." + body
    return "sha256=" + hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(*, agency_code: str, key: str, body: bytes, now: float | None = None) -> dict[str, str]:
    """The headers to send `body` as `agency_code`."""
    timestamp = str(int(now if now is not None else time.time()))
    nonce = secrets.token_hex(16)
    return {
        HEADER_AGENCY: agency_code,
        HEADER_TIMESTAMP: timestamp,
        HEADER_NONCE: nonce,
        HEADER_SIGNATURE: signature(key, timestamp, nonce, body),
        "Content-Type": "application/json",
    }


def is_valid_signature(*, key: str, timestamp: str, nonce: str, body: bytes, given: str) -> bool:
    return hmac.compare_digest(signature(key, timestamp, nonce, body), given or "")


def is_fresh(timestamp: str, now: float | None = None) -> bool:
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        return False
    return abs((now if now is not None else time.time()) - sent) <= MAX_SKEW_SECONDS
