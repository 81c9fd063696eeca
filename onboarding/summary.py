"""The DGA dashboard's figures: per-town monthly aggregates read in each town, rolled up into one
row per month in the public schema. Page loads only read the summary tables (TownMonthlyFigures and
PlatformMonthlySummary); no request ever opens every town's schema.

A service app contributes figures by defining on its AppConfig (kept in the service's figures.py):

    def monthly_figures(self, start: datetime, end: datetime) -> dict | None:
        # None (or {}) when the service saw nothing that month: the month then reads "no data".

The dict is stored as that service's part of the town's row (aggregates only, never a person).
Values follow four shapes, so one roll-up rule serves every service and every level (town,
district, province, country):
    int                               a count — summed
    str                               money in baht ("1234.50") — summed as Decimal
    {"median": float, "weight": int}  a median — the roll-up takes the weight-weighted median
    dict                              a group of the above (e.g. money by fee type) — merged key by key
A few keys feed the headline columns: requests_filed, requests_resolved, money_collected, and
(complaints) median_hours / median_working_hours.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from decimal import Decimal

from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

from tenants.models import Municipality, MunicipalityStatus

from .models import PlatformMonthlySummary, TownFiguresStatus, TownMonthlyFigures

log = logging.getLogger(__name__)

# A town whose schema is locked (a migration running) must not hold up the whole country.
TOWN_LOCK_TIMEOUT = "3s"
TOWN_STATEMENT_TIMEOUT = "60s"


class FiguresUnavailable(Exception):
    """One service of one town could not report its figures (the message says which and why)."""


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def months_back(today: dt.date, count: int) -> list[dt.date]:
    """The first days of the last `count` months, oldest first, ending with today's month."""
    months = [month_start(today)]
    while len(months) < count:
        months.append(month_start(months[-1] - dt.timedelta(days=1)))
    return months[::-1]


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_default_timezone()
    return (
        dt.datetime.combine(month, dt.time.min, tzinfo=tz),
        dt.datetime.combine(next_month(month), dt.time.min, tzinfo=tz),
    )


def median_of(value: float | None, weight: int) -> dict | None:
    """A median in the stored shape (None when nothing was measured)."""
    if value is None or not weight:
        return None
    return {"median": round(float(value), 2), "weight": int(weight)}


# --- in a town ----------------------------------------------------------------------------------


def collect_town_figures(month: dt.date) -> dict:
    """Ask every app of the current town for its aggregates of `month`: {app label: figures}."""
    start, end = month_bounds(month)
    parts = {}
    for config in apps.get_app_configs():
        hook = getattr(config, "monthly_figures", None)
        if not callable(hook):
            continue
        try:
            with transaction.atomic():  # a failing hook leaves the transaction usable for the message
                part = hook(start, end)
        except Exception as exc:
            raise FiguresUnavailable(f"{config.label}: {type(exc).__name__}: {exc}") from exc
        if part:
            parts[config.label] = part
    return parts


def headline(parts: dict) -> dict:
    """The headline columns of a town's month from its services' parts."""
    complaints = parts.get("complaints", {})
    return {
        "requests_filed": sum(int(p.get("requests_filed", 0)) for p in parts.values()),
        "requests_resolved": sum(int(p.get("requests_resolved", 0)) for p in parts.values()),
        "money_collected": sum((Decimal(p.get("money_collected", "0")) for p in parts.values()), Decimal("0")),
        "median_resolution_hours": (complaints.get("median_hours") or {}).get("median"),
        "median_resolution_working_hours": (complaints.get("median_working_hours") or {}).get("median"),
    }


def record_town_figures(today: dt.date | None = None, months: int = 2) -> int:
    """Run in a town's schema: store the last `months` months' aggregates in the public tables.

    All or nothing per town: if a service's hook raises, or the schema is locked by a migration,
    the town's earlier rows stay as they were and the failure is recorded with its reason."""
    schema = connection.schema_name
    with schema_context("public"):
        town = Municipality.objects.filter(schema_name=schema).first()
    if town is None:
        return 0
    wanted = months_back(today or timezone.localdate(), months)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL lock_timeout = '{TOWN_LOCK_TIMEOUT}'")
                cursor.execute(f"SET LOCAL statement_timeout = '{TOWN_STATEMENT_TIMEOUT}'")
            rows = {month: collect_town_figures(month) for month in wanted}
    except Exception as exc:  # one town's trouble must never stop the others (recorded, not hidden)
        reason = str(exc) if isinstance(exc, FiguresUnavailable) else f"{type(exc).__name__}: {exc}"
        record_failure(town, reason)
        return 0
    with schema_context("public"), transaction.atomic():
        for month, parts in rows.items():
            if not parts:
                # Nothing happened that month (or the data is gone): "no data", not a row of zeros.
                TownMonthlyFigures.objects.filter(municipality=town, month=month).delete()
                continue
            TownMonthlyFigures.objects.update_or_create(
                municipality=town, month=month, defaults={**headline(parts), "figures": parts}
            )
        TownFiguresStatus.objects.update_or_create(municipality=town, defaults={"last_success_at": timezone.now()})
    return len(rows)


def record_failure(town: Municipality, reason: str) -> None:
    log.warning("figures of %s not refreshed: %s", town.slug, reason)
    with schema_context("public"):
        TownFiguresStatus.objects.update_or_create(
            municipality=town, defaults={"last_failure_at": timezone.now(), "last_error": reason[:2000]}
        )


def refresh_town(town: Municipality, *, months: int, today: dt.date | None = None) -> int:
    """From the public schema: read one town's figures (skipped, with the reason, if it is no
    longer live — e.g. suspended while the refresh was running)."""
    status = Municipality.objects.filter(pk=town.pk).values_list("status", flat=True).first()
    if status != MunicipalityStatus.LIVE:
        record_failure(town, f"not refreshed: town is {status or 'gone'}; earlier figures kept")
        return 0
    try:
        with tenant_context(town):
            return record_town_figures(today=today, months=months)
    except Exception as exc:  # e.g. the schema is missing; the others still run
        record_failure(town, f"{type(exc).__name__}: {exc}")
        return 0


# --- roll-up (public) ---------------------------------------------------------------------------


def weighted_median(pairs: Iterable[tuple[float | None, int]]) -> float | None:
    """Median of per-town medians weighted by their counts (an approximation of the true median:
    only aggregates leave a town)."""
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


def _is_median(value) -> bool:
    return isinstance(value, dict) and set(value) == {"median", "weight"}


def merge_figures(parts: Iterable[dict]) -> dict:
    """Combine several figure dicts of the same shape (see the module docstring)."""
    parts = [p for p in parts if p]
    keys: list[str] = []
    for part in parts:
        keys += [k for k in part if k not in keys]
    merged: dict = {}
    for key in keys:
        values = [part[key] for part in parts if part.get(key) is not None]
        if not values:
            continue
        first = values[0]
        if _is_median(first):
            pairs = [(v["median"], v["weight"]) for v in values if _is_median(v)]
            merged[key] = median_of(weighted_median(pairs), sum(w for _m, w in pairs))
        elif isinstance(first, dict):
            merged[key] = merge_figures(v for v in values if isinstance(v, dict))
        elif isinstance(first, str):
            merged[key] = str(sum((Decimal(v) for v in values if isinstance(v, str)), Decimal("0.00")))
        elif isinstance(first, bool):
            continue
        elif isinstance(first, int | float):
            merged[key] = sum(v for v in values if isinstance(v, int | float))
    return merged


def combine(rows: Iterable[TownMonthlyFigures]) -> dict:
    """One month's figures over many towns' rows: headline columns, services' figures, town count."""
    rows = list(rows)
    figures = merge_figures(row.figures for row in rows)
    return {
        "towns_reporting": len(rows),
        "requests_filed": sum(row.requests_filed for row in rows),
        "requests_resolved": sum(row.requests_resolved for row in rows),
        "money_collected": sum((row.money_collected for row in rows), Decimal("0")),
        # Weighted by each town's resolved complaints (the headline is the One Stop Service's).
        "median_resolution_hours": weighted_median(
            (row.median_resolution_hours, _resolved_weight(row)) for row in rows
        ),
        "median_resolution_working_hours": weighted_median(
            (row.median_resolution_working_hours, _resolved_weight(row)) for row in rows
        ),
        "figures": figures,
    }


def _resolved_weight(row: TownMonthlyFigures) -> int:
    measured = (row.figures.get("complaints") or {}).get("median_hours") or {}
    return int(measured.get("weight") or row.requests_resolved)


@transaction.atomic
def roll_up_platform_summary(months: int = 12, today: dt.date | None = None) -> int:
    """Public schema: one PlatformMonthlySummary row per month from the towns' rows and the registry."""
    wanted = months_back(today or timezone.localdate(), months)
    serving = (MunicipalityStatus.LIVE, MunicipalityStatus.SUSPENDED)
    towns = Municipality.objects.filter(went_live_at__isnull=False)
    by_month: dict[dt.date, list[TownMonthlyFigures]] = {month: [] for month in wanted}
    for row in TownMonthlyFigures.objects.filter(month__in=wanted):
        by_month[row.month].append(row)
    for month in wanted:
        start, end = month_bounds(month)
        PlatformMonthlySummary.objects.update_or_create(
            month=month,
            defaults={
                "towns_went_live": towns.filter(went_live_at__gte=start, went_live_at__lt=end).count(),
                "towns_live_total": towns.filter(went_live_at__lt=end, status__in=serving).count(),
                **combine(by_month[month]),
            },
        )
    return len(wanted)


def refresh_platform_summary(*, months: int = 12, today: dt.date | None = None) -> dict:
    """Every live town's figures, then the roll-up — what `manage.py refresh_platform_summary` runs.
    Returns {"refreshed": [slugs], "failed": {slug: reason}}."""
    refreshed, failed = [], {}
    for town in Municipality.objects.filter(status=MunicipalityStatus.LIVE).order_by("slug"):
        if refresh_town(town, months=months, today=today):
            refreshed.append(town.slug)
        else:
            status = TownFiguresStatus.objects.filter(municipality=town).first()
            failed[town.slug] = status.last_error if status else "unknown"
    roll_up_platform_summary(months=months, today=today)
    return {"refreshed": refreshed, "failed": failed}
