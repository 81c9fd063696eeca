"""Amounts in Thai words for receipts (บาทถ้วน / สตางค์), from Decimal.

Written here rather than taken from the `bahttext` package: that one takes floats and spells
0.25 as "ศูนย์บาทยี่สิบห้าสตางค์" and 100.01 as "...บาทเอ็ดสตางค์", both not the receipt convention.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

_DIGITS = ("ศูนย์", "หนึ่ง", "สอง", "สาม", "สี่", "ห้า", "หก", "เจ็ด", "แปด", "เก้า")
_PLACES = ("", "สิบ", "ร้อย", "พัน", "หมื่น", "แสน")


def _below_million(number: int, *, follows_millions: bool = False) -> str:
    """Words for 0 < number < 1,000,000, with เอ็ด for a final 1 after tens and ยี่ for 2 tens."""
    words = []
    digits = str(number)
    length = len(digits)
    for position, char in enumerate(digits):
        digit = int(char)
        place = length - position - 1
        if digit == 0:
            continue
        if place == 1 and digit == 1:
            words.append("สิบ")
        elif place == 1 and digit == 2:
            words.append("ยี่สิบ")
        elif place == 0 and digit == 1 and (length > 1 or follows_millions):
            words.append("เอ็ด")
        else:
            words.append(_DIGITS[digit] + _PLACES[place])
    return "".join(words)


def number_to_thai_words(number: int) -> str:
    if number == 0:
        return _DIGITS[0]
    if number < 0:
        return "ลบ" + number_to_thai_words(-number)
    millions, rest = divmod(number, 1_000_000)
    text = number_to_thai_words(millions) + "ล้าน" if millions else ""
    if rest:
        # A final 1 after a higher unit is เอ็ด, as in Excel's BAHTTEXT: 1,000,001 → หนึ่งล้านเอ็ด.
        text += _below_million(rest, follows_millions=bool(millions))
    return text


def baht_text(amount: Decimal | int | str) -> str:
    """`Decimal("1250.50")` → `หนึ่งพันสองร้อยห้าสิบบาทห้าสิบสตางค์`."""
    if isinstance(amount, float):
        raise TypeError("baht_text takes Decimal, never float")
    value = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if value < 0:
        return "ลบ" + baht_text(-value)
    baht = int(value)
    satang = int((value - baht) * 100)
    if baht == 0 and satang == 0:
        return "ศูนย์บาทถ้วน"
    text = number_to_thai_words(baht) + "บาท" if baht else ""
    if satang == 0:
        return text + "ถ้วน"
    return text + number_to_thai_words(satang) + "สตางค์"
