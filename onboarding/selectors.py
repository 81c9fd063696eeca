"""Reads of the platform console: the towns list with its filters, health, and the dashboard."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from tenants.models import Municipality, MunicipalityKind, MunicipalityStatus

# The heartbeat task runs every 5 minutes (config/celery.py).
HEALTHY_WITHIN = dt.timedelta(minutes=15)
STALE_WITHIN = dt.timedelta(hours=2)


def towns_for_console(
    *, query: str = "", province: str = "", kind: str = "", status: str = ""
) -> QuerySet[Municipality]:
    """The towns list of the DGA console, filtered; no town schema is opened."""
    towns = Municipality.objects.prefetch_related("domains").order_by("name_th")
    if query:
        towns = towns.filter(
            Q(name_th__icontains=query)
            | Q(name_en__icontains=query)
            | Q(slug__icontains=query)
            | Q(lao_code__startswith=query)
            | Q(district__icontains=query)
        )
    if province:
        towns = towns.filter(province_code=province) if province.isdigit() else towns.filter(province=province)
    if kind in MunicipalityKind.values:
        towns = towns.filter(kind=kind)
    if status in MunicipalityStatus.values:
        towns = towns.filter(status=status)
    return towns


def province_filter_choices() -> list[tuple[str, str]]:
    """Only provinces that have a town on the platform."""
    return list(
        Municipality.objects.exclude(province_code="")
        .order_by("province")
        .values_list("province_code", "province")
        .distinct()
    )


def town_health(town: Municipality, now: dt.datetime | None = None) -> str:
    """ok | stale | down | n/a — from the heartbeat the town's own task writes."""
    if town.status != MunicipalityStatus.LIVE:
        return "n/a"
    now = now or timezone.now()
    if town.heartbeat_at is None:
        return "down" if town.went_live_at and now - town.went_live_at > STALE_WITHIN else "stale"
    age = now - town.heartbeat_at
    if age <= HEALTHY_WITHIN:
        return "ok"
    return "stale" if age <= STALE_WITHIN else "down"


@dataclass
class Bar:
    label: str
    value: float | None  # None: no data for this slot (drawn as a gap, labelled "—")
    x: float
    y: float
    width: float
    height: float


def bar_chart(rows: list[tuple[str, float | None]], *, width: int = 560, height: int = 160) -> list[Bar]:
    """Geometry of a simple bar chart (drawn as SVG by the template; no JavaScript)."""
    if not rows:
        return []
    top = max((float(value) for _label, value in rows if value is not None), default=0) or 1
    slot = width / len(rows)
    bars = []
    for index, (label, value) in enumerate(rows):
        bar_height = 0.0 if value is None else (height - 20) * (float(value) / float(top))
        bars.append(
            Bar(
                label=label,
                value=value,
                x=index * slot + slot * 0.15,
                y=height - 16 - bar_height,
                width=slot * 0.7,
                height=bar_height,
            )
        )
    return bars


@dataclass
class HorizontalBar:
    label: str
    value: float
    link: str
    y: float
    width: float


def horizontal_bars(
    rows: list[tuple[str, float, str]], *, width: int = 340, row_height: int = 22
) -> list[HorizontalBar]:
    """Geometry of a horizontal bar chart (one row per province or district, longest first)."""
    top = max((float(value) for _l, value, _k in rows), default=0) or 1
    return [
        HorizontalBar(label=label, value=value, link=link, y=index * row_height, width=width * float(value) / top)
        for index, (label, value, link) in enumerate(rows)
    ]
