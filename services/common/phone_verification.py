"""One-time codes by SMS to prove a phone number: 6 digits, valid 10 minutes, 5 wrong tries and the
code is gone. Only a keyed hash is kept, in a `PhoneCode` row of the town's schema: each check locks
that row, so the try limit holds even when many guesses arrive at once (a cache counter read and
then bumped let concurrent guesses through). The SMS goes through the outbox like every other
message. Callers limit how often codes are sent (SMS costs)."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import outbox
from .models import PhoneCode
from .thai_phone import normalize_thai_phone

CODE_SECONDS = 600
MAX_TRIES = 5


class Check(enum.Enum):
    OK = "ok"
    WRONG = "wrong"  # try again
    EXPIRED = "expired"  # no live code (never sent, expired, used, or too many wrong tries)


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
    with transaction.atomic():
        PhoneCode.objects.update_or_create(
            purpose=purpose[:120],
            phone=phone,
            defaults={
                "digest": _digest(purpose, phone, code, nonce),
                "nonce": nonce,
                "tries": 0,
                "expires_at": timezone.now() + dt.timedelta(seconds=CODE_SECONDS),
            },
        )
        PhoneCode.objects.filter(expires_at__lt=timezone.now() - dt.timedelta(days=1)).delete()
        body = (text or _("รหัสยืนยันของท่านคือ %(code)s (ใช้ได้ 10 นาที) Your code: %(code)s")) % {"code": code}
        outbox.enqueue(channel="sms", recipient=phone, body=body, key=f"otp:{purpose}:{phone}:{nonce}")
    return True


@transaction.atomic
def check_code(*, phone: str, purpose: str, code: str) -> Check:
    """Compare `code` with the live code of `phone`; a right code is used up. Every call counts as a
    try under the row's lock, so N concurrent guesses are N tries and at most MAX_TRIES are compared."""
    phone = normalize_thai_phone(phone)
    if not phone:
        return Check.EXPIRED
    row = PhoneCode.objects.select_for_update().filter(purpose=purpose[:120], phone=phone).first()
    if row is None:
        return Check.EXPIRED
    if row.expires_at <= timezone.now() or row.tries >= MAX_TRIES:
        row.delete()
        return Check.EXPIRED
    row.tries += 1
    given = "".join(c for c in str(code or "") if c.isdigit())[:6]
    if hmac.compare_digest(row.digest, _digest(purpose, phone, given, row.nonce)):
        row.delete()
        return Check.OK
    if row.tries >= MAX_TRIES:
        row.delete()
    else:
        row.save(update_fields=["tries"])
    return Check.WRONG
