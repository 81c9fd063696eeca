"""Thai phone numbers: mobiles 06/08/09 + 8 digits, landlines 02–07 + 7 digits, or +66 forms."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_NOISE = re.compile(r"[\s\-().]")
_MOBILE = re.compile(r"^0[689]\d{8}$")
_LANDLINE = re.compile(r"^0[2-7]\d{7}$")


def normalize_thai_phone(value: str) -> str:
    """National format, digits only: `+66 81 234 5678` → `0812345678`. Returns '' if not a Thai number."""
    digits = _NOISE.sub("", value or "")
    if digits.startswith("+66"):
        digits = "0" + digits[3:]
    elif digits.startswith("0066"):
        digits = "0" + digits[4:]
    elif digits.startswith("66") and len(digits) in (10, 11):
        digits = "0" + digits[2:]
    return digits if (_MOBILE.match(digits) or _LANDLINE.match(digits)) else ""


def is_mobile(value: str) -> bool:
    return bool(_MOBILE.match(normalize_thai_phone(value)))


def to_e164(value: str) -> str:
    national = normalize_thai_phone(value)
    return "+66" + national[1:] if national else ""


def validate_thai_phone(value: str) -> None:
    if value and not normalize_thai_phone(value):
        raise ValidationError(
            _("หมายเลขโทรศัพท์ไม่ถูกต้อง (Not a valid Thai phone number)"), code="thai_phone"
        )
