"""Buddhist-era dates (พ.ศ. = ค.ศ. + 543) and the Thai fiscal year, in Asia/Bangkok time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

BANGKOK = ZoneInfo("Asia/Bangkok")
BE_OFFSET = 543
MONTHS_LONG = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)
MONTHS_SHORT = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)
_THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


def _local_date(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(BANGKOK)
        return value.date()
    return value


def be_year(value: dt.date | dt.datetime) -> int:
    return _local_date(value).year + BE_OFFSET


def format_be_short(value: dt.date | dt.datetime) -> str:
    """`23 พ.ย. 2569`"""
    d = _local_date(value)
    return f"{d.day} {MONTHS_SHORT[d.month - 1]} {d.year + BE_OFFSET}"


def format_be_long(value: dt.date | dt.datetime) -> str:
    """`23 พฤศจิกายน 2569` (the form used in official letters)."""
    d = _local_date(value)
    return f"{d.day} {MONTHS_LONG[d.month - 1]} {d.year + BE_OFFSET}"


def format_be_datetime(value: dt.datetime) -> str:
    """`23 พ.ย. 2569 14:05 น.` in Bangkok time."""
    local = value.astimezone(BANGKOK) if value.tzinfo else value
    return f"{format_be_short(local)} {local:%H:%M} น."


MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTHS_EN_LONG = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                  "October", "November", "December")


def format_be_short_en(value: dt.date | dt.datetime) -> str:
    """English pages give the year as an English reader counts it: `23 Nov 2026` (Thai pages and
    official documents keep the Buddhist era)."""
    d = _local_date(value)
    return f"{d.day} {MONTHS_EN[d.month - 1]} {d.year}"


def format_be_long_en(value: dt.date | dt.datetime) -> str:
    d = _local_date(value)
    return f"{d.day} {MONTHS_EN_LONG[d.month - 1]} {d.year}"


def format_month(value: dt.date | dt.datetime, *, english: bool = False) -> str:
    """A month as a heading or table cell: `ธ.ค. 2569`, in English `Dec 2026`."""
    d = _local_date(value)
    if english:
        return f"{MONTHS_EN[d.month - 1]} {d.year}"
    return f"{MONTHS_SHORT[d.month - 1]} {d.year + BE_OFFSET}"


def format_be_datetime_en(value: dt.datetime) -> str:
    local = value.astimezone(BANGKOK) if value.tzinfo else value
    return f"{format_be_short_en(local)} {local:%H:%M}"


def thai_digits(text: str) -> str:
    return str(text).translate(_THAI_DIGITS)


def fiscal_year(value: dt.date | dt.datetime) -> int:
    """Thai government fiscal year (ปีงบประมาณ), 1 Oct – 30 Sep, named by the BE year it ends in."""
    d = _local_date(value)
    return d.year + BE_OFFSET + (1 if d.month >= 10 else 0)


def fiscal_year_bounds(fiscal: int) -> tuple[dt.date, dt.date]:
    """First and last day of BE fiscal year `fiscal`: 2570 → (2026-10-01, 2027-09-30)."""
    ce_end = fiscal - BE_OFFSET
    return dt.date(ce_end - 1, 10, 1), dt.date(ce_end, 9, 30)
