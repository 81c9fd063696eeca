"""One-time codes by SMS to prove a phone number: 6 digits, kept only as a keyed hash in the cache
(keys carry the town's schema), valid 10 minutes, 5 wrong tries and the code is gone. The SMS goes
through the outbox like every other message. Callers limit how often codes are sent (SMS costs)."""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils.translation import gettext as _

from . import outbox
from .thai_phone import normalize_thai_phone

CODE_SECONDS = 600
MAX_TRIES = 5


class Check(enum.Enum):
    OK = "ok"
    WRONG = "wrong"  # try again
    EXPIRED = "expired"  # no live code (never sent, expired, used, or too many wrong tries)


def _keys(purpose: str, phone: str) -> tuple[str, str]:
    base = f"phone-otp:{connection.schema_name}:{purpose}:{phone}"
    return base, f"{base}:tries"


def _digest(purpose: str, phone: str, code: str, nonce: str) -> str:
    message = f"{connection.schema_name}|{purpose}|{phone}|{code}|{nonce}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def send_code(*, phone: str, purpose: str, text: str = "") -> bool:
    """Text a new code to `phone` (replacing any earlier one); False if it is not a Thai number."""
    phone = normalize_thai_phone(phone)
    if not phone:
        return False
    code = f"{secrets.randbelow(1_000_000):06d}"
    nonce = secrets.token_hex(8)
    key, tries_key = _keys(purpose, phone)
    cache.set(key, {"hash": _digest(purpose, phone, code, nonce), "nonce": nonce}, CODE_SECONDS)
    cache.set(tries_key, 0, CODE_SECONDS)
    body = (text or _("รหัสยืนยันของท่านคือ %(code)s (ใช้ได้ 10 นาที) Your code: %(code)s")) % {"code": code}
    outbox.enqueue(channel="sms", recipient=phone, body=body, key=f"otp:{purpose}:{phone}:{nonce}")
    return True


def check_code(*, phone: str, purpose: str, code: str) -> Check:
    """Compare `code` with the live code of `phone`; a right code is used up."""
    phone = normalize_thai_phone(phone)
    key, tries_key = _keys(purpose, phone)
    stored = cache.get(key) if phone else None
    if not stored:
        return Check.EXPIRED
    try:
        tries = cache.incr(tries_key)
    except ValueError:  # the counter expired with the code
        return Check.EXPIRED
    if tries > MAX_TRIES:
        cache.delete_many([key, tries_key])
        return Check.EXPIRED
    given = "".join(c for c in str(code or "") if c.isdigit())[:6]
    if hmac.compare_digest(stored["hash"], _digest(purpose, phone, given, stored["nonce"])):
        cache.delete_many([key, tries_key])
        return Check.OK
    if tries >= MAX_TRIES:
        cache.delete_many([key, tries_key])
    return Check.WRONG
