"""13-digit Thai national ID / tax ID (เลขประจำตัวประชาชน / เลขประจำตัวผู้เสียภาษีอากร)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_SEPARATORS = re.compile(r"[\s\-]")


def normalize_thai_id(value: str) -> str:
    """Digits only: accepts `1-1017-00230-70-8` and `1 1017 00230 70 8`."""
    return _SEPARATORS.sub("", value or "")


def thai_id_check_digit(first_twelve: str) -> int:
    """Mod-11 check digit: (11 − Σ dᵢ·(13−i) mod 11) mod 10 over the first 12 digits."""
    total = sum(int(d) * (13 - i) for i, d in enumerate(first_twelve))
    return (11 - total % 11) % 10


def is_valid_thai_id(value: str) -> bool:
    digits = normalize_thai_id(value)
    return len(digits) == 13 and digits.isdigit() and thai_id_check_digit(digits[:12]) == int(digits[12])


def validate_thai_id(value: str) -> None:
    digits = normalize_thai_id(value)
    if len(digits) != 13 or not digits.isdigit():
        raise ValidationError(
            _("เลขประจำตัวต้องมี 13 หลัก (The ID must have 13 digits)"), code="thai_id_length"
        )
    if not is_valid_thai_id(digits):
        raise ValidationError(
            _("เลขประจำตัวไม่ถูกต้อง ตรวจสอบหลักสุดท้าย (Invalid ID: the check digit does not match)"),
            code="thai_id_checksum",
        )


def mask_thai_id(value: str) -> str:
    """PDPA display form for lists: `1-1017-00xxx-xx-0` (first 7 and the check digit shown)."""
    d = normalize_thai_id(value)
    if len(d) != 13:
        return "x" * len(d)
    return f"{d[0]}-{d[1:5]}-{d[5:7]}xxx-xx-{d[12]}"


def format_thai_id(value: str) -> str:
    d = normalize_thai_id(value)
    return f"{d[0]}-{d[1:5]}-{d[5:10]}-{d[10:12]}-{d[12]}" if len(d) == 13 else d
