"""Template filters for Thai display: {{ value|be_date }}, {{ amount|baht_text }}, {{ id|mask_id }}."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import template
from django.utils import translation

from services.common import baht_text as baht_text_module
from services.common import buddhist_era
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


@register.filter
def baht_text(value: Decimal | int | str | None) -> str:
    return baht_text_module.baht_text(value) if value is not None else ""


@register.filter
def mask_id(value: str | None) -> str:
    return mask_thai_id(value) if value else ""
