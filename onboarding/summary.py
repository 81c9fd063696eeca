"""The DGA dashboard's figures: per-town monthly aggregates written by a task that runs in each
town (fan-out), rolled up into one row per month in the public schema. Page loads only read
PlatformMonthlySummary; no request ever opens every town's schema.

A service app contributes figures by defining on its AppConfig:

    def monthly_figures(self, start: datetime, end: datetime) -> dict:
        # any of: requests_filed: int, requests_resolved: int,
        #         resolution_hours: list[float], money_collected: Decimal
"""

from __future__ import annotations

import datetime as dt
import statistics
from decimal import Decimal

from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from tenants.models import Municipality, MunicipalityStatus

from .models import PlatformMonthlySummary, TownMonthlyFigures


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_default_timezone()
    return (
        dt.datetime.combine(month, dt.time.min, tzinfo=tz),
        dt.datetime.combine(next_month(month), dt.time.min, tzinfo=tz),
    )


def collect_town_figures(month: dt.date) -> dict:
    """Ask every app of the current town for its aggregates of `month`."""
    start, end = _bounds(month)
    figures = {
        "requests_filed": 0,
        "requests_resolved": 0,
        "resolution_hours": [],
        "money_collected": Decimal("0"),
    }
    for config in apps.get_app_configs():
        hook = getattr(config, "monthly_figures", None)
        if not callable(hook):
            continue
        part = hook(start, end) or {}
        figures["requests_filed"] += int(part.get("requests_filed", 0))
        figures["requests_resolved"] += int(part.get("requests_resolved", 0))
        figures["resolution_hours"] += [float(h) for h in part.get("resolution_hours", [])]
        figures["money_collected"] += Decimal(str(part.get("money_collected", 0)))
    return figures


def record_town_figures(today: dt.date | None = None) -> int:
    """Run in a town's schema: store this month's and last month's aggregates in the public table."""
    schema = connection.schema_name
    today = today or timezone.localdate()
    months = [month_start(today), month_start(month_start(today) - dt.timedelta(days=1))]
    rows = {month: collect_town_figures(month) for month in months}
    with schema_context("public"):
        town_id = Municipality.objects.filter(schema_name=schema).values_list("pk", flat=True).first()
        if town_id is None:
            return 0
        for month, figures in rows.items():
            hours = figures["resolution_hours"]
            TownMonthlyFigures.objects.update_or_create(
                municipality_id=town_id,
                month=month,
                defaults={
                    "requests_filed": figures["requests_filed"],
                    "requests_resolved": figures["requests_resolved"],
                    "median_resolution_hours": statistics.median(hours) if hours else None,
                    "money_collected": figures["money_collected"],
                },
            )
    return len(rows)


def weighted_median(pairs: list[tuple[float, int]]) -> float | None:
    """Median of per-town medians weighted by resolved counts (an approximation of the platform median)."""
    pairs = sorted((value, weight) for value, weight in pairs if value is not None and weight > 0)
    total = sum(weight for _v, weight in pairs)
    if not total:
        return None
    running = 0
    for value, weight in pairs:
        running += weight
        if running * 2 >= total:
            return value
    return pairs[-1][0]


@transaction.atomic
def roll_up_platform_summary(months: int = 12, today: dt.date | None = None) -> int:
    """Public schema: one PlatformMonthlySummary row per month from the towns' rows and the registry."""
    today = today or timezone.localdate()
    month = month_start(today)
    wanted = [month]
    for _ in range(months - 1):
        month = month_start(month - dt.timedelta(days=1))
        wanted.append(month)
    for month in wanted:
        start, end = _bounds(month)
        serving = (MunicipalityStatus.LIVE, MunicipalityStatus.SUSPENDED)
        towns = Municipality.objects.filter(went_live_at__isnull=False)
        figures = list(TownMonthlyFigures.objects.filter(month=month))
        PlatformMonthlySummary.objects.update_or_create(
            month=month,
            defaults={
                "towns_went_live": towns.filter(went_live_at__gte=start, went_live_at__lt=end).count(),
                "towns_live_total": towns.filter(went_live_at__lt=end, status__in=serving).count(),
                "requests_filed": sum(f.requests_filed for f in figures),
                "requests_resolved": sum(f.requests_resolved for f in figures),
                "median_resolution_hours": weighted_median(
                    [(f.median_resolution_hours, f.requests_resolved) for f in figures]
                ),
                "money_collected": sum((f.money_collected for f in figures), Decimal("0")),
            },
        )
    return len(wanted)
