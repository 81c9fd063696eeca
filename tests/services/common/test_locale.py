"""Thai locale helpers: Buddhist era, fiscal year, amounts in words, national ID, phones."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from services.common.baht_text import baht_text
from services.common.buddhist_era import (
    be_year,
    fiscal_year,
    fiscal_year_bounds,
    format_be_datetime,
    format_be_long,
    format_be_short,
    thai_digits,
)
from services.common.thai_id import is_valid_thai_id, mask_thai_id, normalize_thai_id, validate_thai_id
from services.common.thai_phone import is_mobile, normalize_thai_phone, to_e164, validate_thai_phone


def test_buddhist_era_short_and_long_forms():
    day = dt.date(2026, 11, 23)
    assert be_year(day) == 2569
    assert format_be_short(day) == "23 พ.ย. 2569"
    assert format_be_long(day) == "23 พฤศจิกายน 2569"
    assert thai_digits("2569") == "๒๕๖๙"


def test_datetimes_are_shown_in_bangkok_time():
    # 20:30 UTC on 31 Dec is already 1 January in Bangkok (UTC+7).
    moment = dt.datetime(2026, 12, 31, 20, 30, tzinfo=dt.UTC)
    assert format_be_short(moment) == "1 ม.ค. 2570"
    assert format_be_datetime(moment) == "1 ม.ค. 2570 03:30 น."


@pytest.mark.parametrize(
    ("day", "expected"),
    [(dt.date(2026, 9, 30), 2569), (dt.date(2026, 10, 1), 2570), (dt.date(2027, 9, 30), 2570),
     (dt.date(2027, 1, 15), 2570)],
)
def test_fiscal_year_runs_october_to_september_named_by_its_end(day, expected):
    assert fiscal_year(day) == expected


def test_fiscal_year_bounds():
    assert fiscal_year_bounds(2570) == (dt.date(2026, 10, 1), dt.date(2027, 9, 30))


def test_fiscal_year_uses_bangkok_date():
    late_sept_utc = dt.datetime(2026, 9, 30, 18, 0, tzinfo=ZoneInfo("UTC"))  # 1 Oct 01:00 in Bangkok
    assert fiscal_year(late_sept_utc) == 2570


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("150.00", "หนึ่งร้อยห้าสิบบาทถ้วน"),
        ("1250.50", "หนึ่งพันสองร้อยห้าสิบบาทห้าสิบสตางค์"),
        ("21", "ยี่สิบเอ็ดบาทถ้วน"),
        ("101", "หนึ่งร้อยเอ็ดบาทถ้วน"),
        ("11", "สิบเอ็ดบาทถ้วน"),
        ("1", "หนึ่งบาทถ้วน"),
        ("0.25", "ยี่สิบห้าสตางค์"),
        ("100.01", "หนึ่งร้อยบาทหนึ่งสตางค์"),
        ("1000000", "หนึ่งล้านบาทถ้วน"),
        ("1000001", "หนึ่งล้านเอ็ดบาทถ้วน"),
        ("21000000", "ยี่สิบเอ็ดล้านบาทถ้วน"),
        ("0", "ศูนย์บาทถ้วน"),
        ("120.005", "หนึ่งร้อยยี่สิบบาทหนึ่งสตางค์"),
    ],
)
def test_baht_text(amount, words):
    assert baht_text(Decimal(amount)) == words


def test_baht_text_refuses_floats():
    with pytest.raises(TypeError):
        baht_text(1.5)


@pytest.mark.parametrize("value", ["1101700203450", "1101700230708", "1-1017-00230-70-8", "0994000158041"])
def test_valid_thai_ids(value):
    assert is_valid_thai_id(value)
    validate_thai_id(value)


@pytest.mark.parametrize("value", ["1101700203452", "1111111111111", "123", "abcdefghijklm"])
def test_invalid_thai_ids_are_refused_with_a_bilingual_message(value):
    assert not is_valid_thai_id(value)
    with pytest.raises(ValidationError) as caught:
        validate_thai_id(value)
    message = caught.value.messages[0]
    assert "เลขประจำตัว" in message and "ID" in message


def test_thai_id_is_masked_for_lists():
    assert mask_thai_id("1101700203450") == "1-1017-00xxx-xx-0"
    assert normalize_thai_id("1 1017 00203 45 0") == "1101700203450"


@pytest.mark.parametrize(
    ("raw", "national"),
    [("081-234-5678", "0812345678"), ("+66 81 234 5678", "0812345678"), ("0066812345678", "0812345678"),
     ("02 123 4567", "021234567"), ("038-123456", "038123456")],
)
def test_thai_phone_numbers_normalise(raw, national):
    assert normalize_thai_phone(raw) == national


def test_mobile_and_e164():
    assert is_mobile("0812345678")
    assert not is_mobile("021234567")
    assert to_e164("081-234-5678") == "+66812345678"


@pytest.mark.parametrize("bad", ["12345", "0112345678", "+1 202 555 0100", "08123456789"])
def test_bad_phone_numbers_are_refused(bad):
    with pytest.raises(ValidationError):
        validate_thai_phone(bad)


def test_date_filters_follow_the_page_language_buddhist_era_in_thai():
    from django.utils import translation

    from services.common.templatetags.thai import be_date, be_date_long, be_datetime

    day = dt.date(2026, 11, 23)
    moment = dt.datetime(2026, 11, 23, 7, 5, tzinfo=dt.UTC)
    with translation.override("th"):
        assert be_date(day) == "23 พ.ย. 2569"
    with translation.override("en"):
        assert be_date(day) == "23 Nov 2026"  # an English reader's year; Thai pages keep 2569
        assert be_date_long(day) == "23 November 2026"
        assert be_datetime(moment) == "23 Nov 2026 14:05"
        from services.common.templatetags.thai import be_month

        assert be_month(day) == "Nov 2026"
    with translation.override("th"):
        from services.common.templatetags.thai import be_month

        assert be_month(day) == "พ.ย. 2569"
