"""Template filters for Thai display: {{ value|be_date }}, {{ amount|baht }}, {{ amount|baht_text }}, {{ id|mask_id }}."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import template
from django.utils import translation

from services.common import baht_text as baht_text_module
from services.common import buddhist_era
from services.common.money import format_baht
from services.common.thai_id import mask_thai_id

register = template.Library()


def _english() -> bool:
    return translation.get_language() == "en"


@register.filter
def be_date(value: dt.date | dt.datetime | None) -> str:
    if not value:
        return ""
    return buddhist_era.format_be_short_en(value) if _english() else buddhist_era.format_be_short(value)


@register.filter
def be_date_long(value: dt.date | dt.datetime | None) -> str:
    if not value:
        return ""
    return buddhist_era.format_be_long_en(value) if _english() else buddhist_era.format_be_long(value)


@register.filter
def be_datetime(value: dt.datetime | None) -> str:
    if not value:
        return ""
    return buddhist_era.format_be_datetime_en(value) if _english() else buddhist_era.format_be_datetime(value)


@register.simple_tag
def bi(thai: str, english: str) -> str:
    """{% bi "ค้นหา" "Search" %}: the Thai words on Thai pages, the English ones on English pages —
    for pages written with both languages side by side (the platform console)."""
    return english if _english() and english else thai


@register.filter
def official(value) -> str:
    """{{ value|official }}: digits in the town's document style (services/common/document_text.py)."""
    from services.common.document_text import digit_style, official_text

    return official_text(value, style=digit_style()) if value not in (None, "") else ""


@register.filter
def be_month(value: dt.date | dt.datetime | None) -> str:
    """{{ month|be_month }} → ธ.ค. 2569 (Dec 2026 in English)."""
    return buddhist_era.format_month(value, english=_english()) if value else ""


@register.filter
def baht(value: Decimal | int | str | None) -> str:
    """Money, the one way it is shown: 1,234.50 (services/common/money.py)."""
    return format_baht(value)


@register.filter
def baht_text(value: Decimal | int | str | None) -> str:
    return baht_text_module.baht_text(value) if value is not None else ""


@register.filter
def localized(obj) -> str:
    """{{ category|localized }}: the English name on English pages when there is one, else the Thai
    one — for anything with name_th/name_en (categories, departments, communities, towns)."""
    if obj is None:
        return ""
    english = getattr(obj, "name_en", "") if _english() else ""
    return english or getattr(obj, "name_th", "") or str(obj)


@register.filter
def role_label(code: str | None) -> str:
    """{{ "town_admin"|role_label }} → ผู้ดูแลระบบ (Town admin in English)."""
    from services.accounts.roles import role_label as label

    return label(code or "", "en" if _english() else "th")


@register.filter
def mask_id(value: str | None) -> str:
    return mask_thai_id(value) if value else ""
