"""Service-level clock in working hours: office hours on weekdays that are not town holidays.

Thai public holidays move every year (lunar dates, substitution days, cabinet-declared extra days),
so they are copied per year from the packaged `holidays` calendar into the town's Holiday table the
first time a year is needed; the town then edits its own copy (domain.md §1).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import holidays as holiday_calendars
from django.core.cache import cache
from django.db import IntegrityError, transaction

from .models import Holiday, HolidayYear, OssSettings

BANGKOK = ZoneInfo("Asia/Bangkok")
# The calendar is read on every tracking page and every filing; it is cached per town (the cache key
# carries the schema name) and dropped whenever a holiday or the office hours change.
CALENDAR_CACHE_KEY = "oss-working-calendar"
CALENDAR_CACHE_SECONDS = 300


def forget_calendar(**_kwargs) -> None:
    cache.delete(CALENDAR_CACHE_KEY)


@functools.lru_cache(maxsize=16)
def _national_holidays(year: int) -> tuple[tuple[dt.date, str], ...]:
    """The packaged calendar of one year, computed once per process (not once per town)."""
    return tuple(sorted(holiday_calendars.country_holidays("TH", years=year, language="th").items()))


def seed_holidays(year: int) -> int:
    """Copy Thailand's public holidays of `year` into this town's calendar once; returns rows added.

    A town's first filing of the year runs this: a handful of statements, not one per holiday
    (with thousands of towns, most filings on a given day are some town's first)."""
    if HolidayYear.objects.filter(year=year).exists():
        return 0
    national = _national_holidays(year)
    try:
        with transaction.atomic():
            HolidayYear.objects.create(year=year)
            existing = set(Holiday.objects.filter(date__in=[d for d, _n in national]).values_list("date", flat=True))
            rows = [Holiday(date=day, name=name[:200], is_seeded=True) for day, name in national if day not in existing]
            Holiday.objects.bulk_create(rows)
    except IntegrityError:
        return 0  # another process seeded the same year first
    return len(rows)


@dataclass(frozen=True)
class _CachedCalendar:
    calendar: WorkingCalendar
    years: frozenset[int]


@dataclass(frozen=True)
class WorkingCalendar:
    """Office hours and the non-working days the clock skips."""

    start: dt.time
    end: dt.time
    days_off: frozenset[dt.date]

    @classmethod
    def for_town(cls, years: Iterable[int] = ()) -> WorkingCalendar:
        wanted = set(years) or {dt.datetime.now(BANGKOK).year}
        wanted |= {y + 1 for y in wanted}  # a deadline late in December lands in January
        cached = cache.get(CALENDAR_CACHE_KEY)
        if cached is not None and wanted <= cached.years:
            return cached.calendar
        settings = OssSettings.current()
        for year in wanted:
            seed_holidays(year)
        days = Holiday.objects.filter(is_active=True, date__year__in=wanted).values_list("date", flat=True)
        calendar = cls(start=settings.work_day_start, end=settings.work_day_end, days_off=frozenset(days))
        cache.set(CALENDAR_CACHE_KEY, _CachedCalendar(calendar, frozenset(wanted)), CALENDAR_CACHE_SECONDS)
        return calendar

    @property
    def hours_per_day(self) -> Decimal:
        minutes = (self.end.hour * 60 + self.end.minute) - (self.start.hour * 60 + self.start.minute)
        return Decimal(minutes) / 60

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and day not in self.days_off

    def _window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        return (dt.datetime.combine(day, self.start, BANGKOK), dt.datetime.combine(day, self.end, BANGKOK))

    def add_working_hours(self, moment: dt.datetime, hours: float | Decimal) -> dt.datetime:
        """The moment `hours` of office time after `moment` (filed at night → counted from next opening)."""
        remaining = dt.timedelta(hours=float(hours))
        local = moment.astimezone(BANGKOK)
        day = local.date()
        for _ in range(3660):  # ten years of days: a bound, never reached with sane targets
            if self.is_working_day(day):
                opens, closes = self._window(day)
                begin = max(local, opens)
                if begin < closes:
                    available = closes - begin
                    if remaining <= available:
                        return begin + remaining
                    remaining -= available
            day += dt.timedelta(days=1)
        raise ValueError("SLA target too far in the future")

    def working_hours_between(self, start: dt.datetime, end: dt.datetime) -> Decimal:
        """Office hours elapsed between two moments (0 if end is before start)."""
        if end <= start:
            return Decimal(0)
        start_local, end_local = start.astimezone(BANGKOK), end.astimezone(BANGKOK)
        total = dt.timedelta()
        day = start_local.date()
        while day <= end_local.date():
            if self.is_working_day(day):
                opens, closes = self._window(day)
                begin, finish = max(opens, start_local), min(closes, end_local)
                if finish > begin:
                    total += finish - begin
            day += dt.timedelta(days=1)
        return (Decimal(total.total_seconds()) / 3600).quantize(Decimal("0.01"))
