"""How many SMS parts a text costs (3GPP TS 23.038 alphabets, TS 23.040 concatenation).

A text entirely in the GSM 7-bit alphabet fits 160 characters in one SMS, 153 per part once it
is split (the 6-byte concatenation header takes 7 characters' room); the extension characters
(^ { } \\ [ ~ ] | €) take two. Anything else — every Thai text — goes as UCS-2: 70 UTF-16 code
units alone, 67 per part when concatenated; a character outside the BMP (most emoji) takes two.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

GSM7_SINGLE, GSM7_PER_PART = 160, 153
UCS2_SINGLE, UCS2_PER_PART = 70, 67


@dataclass(frozen=True)
class SmsSize:
    encoding: str  # "gsm7" or "ucs2"
    units: int  # septets (GSM) or UTF-16 code units (UCS-2)
    parts: int


def sms_size(text: str) -> SmsSize:
    """The encoding a phone network will use for `text`, its length in that encoding, and parts."""
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text):
        units = sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
        single, per_part, encoding = GSM7_SINGLE, GSM7_PER_PART, "gsm7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, per_part, encoding = UCS2_SINGLE, UCS2_PER_PART, "ucs2"
    if units == 0:
        parts = 0
    elif units <= single:
        parts = 1
    else:
        parts = math.ceil(units / per_part)
    return SmsSize(encoding=encoding, units=units, parts=parts)
