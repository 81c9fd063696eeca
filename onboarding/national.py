"""Reads of the national summary for the DGA dashboard and the platform API.

Only the summary tables are read (PlatformMonthlySummary for the country, TownMonthlyFigures with the
registry for a province, a district or a town); no town schema is opened. A month in which no town
reported is "no data" (has_data False), never a row of zeros.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from tenants.models import Municipality

from .models import PlatformMonthlySummary, TownFiguresStatus, TownMonthlyFigures
from .summary import combine, merge_figures, months_back, weighted_median

# The legal limits the figures are read against (the services hold the rules; repeated here as
# the labels of the dashboard only).
PERMIT_LIMIT_DAYS = 45  # Building Control Act s.25
FOOD_LIMIT_WORKING_DAYS = 7  # Public Health Act s.48
LEAGUE_WINDOW_MONTHS = 3


@dataclass(frozen=True)
class Scope:
    """Which towns a summary covers: the country, a province, a district, or one town."""

    province: str = ""
    district: str = ""
    town: str = ""

    @property
    def is_national(self) -> bool:
        return not (self.province or self.district or self.town)

    def towns(self) -> QuerySet[Municipality]:
        towns = Municipality.objects.all()
        if self.province:
            towns = towns.filter(province_code=self.province)
        if self.district:
            towns = towns.filter(district_code=self.district)
        if self.town:
            towns = towns.filter(slug=self.town)
        return towns


def _share(part, whole) -> float | None:
    return round(part / whole, 4) if whole and part is not None else None


def _median(value) -> float | None:
    return value.get("median") if isinstance(value, dict) else None


def service_view(figures: dict) -> dict:
    """The per-service figures of one month in the shape the page and the API show (None = no data)."""
    complaints = figures.get("complaints")
    permits = figures.get("building_permits")
    food = figures.get("food_premises")
    payments = figures.get("payments")
    letters = figures.get("correspondence")
    messages = figures.get("common")  # services.common reports the town's outbox (issue #12)
    return {
        "messages": messages
        and {
            "sms_sent": messages.get("sms_sent", 0),
            "sms_failed": messages.get("sms_failed", 0),
            "sms_parts": messages.get("sms_parts", 0),
            "sms_cost": Decimal(messages.get("sms_cost", "0")),
            "line_sent": messages.get("line_sent", 0),
            "email_sent": messages.get("email_sent", 0),
            # Past OUTBOX_MAX_AGE_HOURS before any channel could send them: never sent.
            "expired": sum(count for key, count in messages.items() if key.endswith("_expired")),
        },
        "complaints": complaints
        and {
            "filed": complaints.get("requests_filed", 0),
            "resolved": complaints.get("requests_resolved", 0),
            "median_hours": _median(complaints.get("median_hours")),
            "p90_hours": _median(complaints.get("p90_hours")),
            "median_working_hours": _median(complaints.get("median_working_hours")),
            "p90_working_hours": _median(complaints.get("p90_working_hours")),
            "within_sla_share": _share(complaints.get("within_sla"), complaints.get("requests_resolved")),
            "reopen_rate": _share(complaints.get("reopened"), complaints.get("requests_resolved")),
            "referred": complaints.get("referred", 0),
            "overdue": complaints.get("overdue", 0),
        },
        "building_permits": permits
        and {
            "applications": permits.get("requests_filed", 0),
            "issued": permits.get("issued", 0),
            "median_days": _median(permits.get("median_days")),
            "limit_days": PERMIT_LIMIT_DAYS,
            "within_limit_share": _share(permits.get("within_limit"), permits.get("issued")),
            "overdue": permits.get("overdue", 0),
        },
        "food_premises": food
        and {
            "notifications": food.get("requests_filed", 0),
            "issued": food.get("issued", 0),
            "median_working_days": _median(food.get("median_days")),
            "limit_working_days": FOOD_LIMIT_WORKING_DAYS,
            "within_limit_share": _share(food.get("within_limit"), food.get("issued")),
            "overdue": food.get("overdue", 0),
        },
        "payments": payments
        and {
            "money_collected": Decimal(payments.get("money_collected", "0")),
            "money_by_fee_type": {k: Decimal(v) for k, v in (payments.get("money_by_fee_type") or {}).items()},
            "payments_by_channel": payments.get("payments_by_channel") or {},
            "bills_issued": payments.get("bills_issued", 0),
            "paid_on_time_share": _share(payments.get("bills_paid_on_time"), payments.get("bills_due")),
            "arrears_amount": Decimal(payments.get("arrears_amount", "0")),
            "bills_in_arrears": payments.get("bills_in_arrears", 0),
        },
        "correspondence": letters
        and {
            "letters_registered": letters.get("letters_registered", 0),
            "letters_received": letters.get("letters_received", 0),
            "letters_sent": letters.get("letters_sent", 0),
            "exchanged": letters.get("exchanged_sent", 0) + letters.get("exchanged_received", 0),
            "median_delivery_hours": _median(letters.get("median_delivery_hours")),
        },
    }


@dataclass
class Month:
    month: dt.date
    towns_reporting: int = 0
    requests_filed: int = 0
    requests_resolved: int = 0
    median_resolution_hours: float | None = None
    median_resolution_working_hours: float | None = None
    money_collected: Decimal = Decimal("0")
    services: dict = field(default_factory=dict)

    @property
    def has_data(self) -> bool:
        return self.towns_reporting > 0

    @property
    def label(self) -> str:
        """MM/YY in the Buddhist era, as Thai offices write a month."""
        return f"{self.month.month:02d}/{(self.month.year + 543) % 100:02d}"


def _month(month: dt.date, values: dict) -> Month:
    return Month(
        month=month,
        towns_reporting=values.get("towns_reporting", 0),
        requests_filed=values.get("requests_filed", 0),
        requests_resolved=values.get("requests_resolved", 0),
        median_resolution_hours=values.get("median_resolution_hours"),
        median_resolution_working_hours=values.get("median_resolution_working_hours"),
        money_collected=values.get("money_collected") or Decimal("0"),
        services=service_view(values.get("figures") or {}),
    )


def monthly(scope: Scope = Scope(), *, months: int = 12, today: dt.date | None = None) -> list[Month]:
    """The last `months` months for `scope`, oldest first, every month present (with or without data)."""
    wanted = months_back(today or timezone.localdate(), months)
    if scope.is_national:
        stored = {row.month: row for row in PlatformMonthlySummary.objects.filter(month__in=wanted)}
        return [
            _month(
                month,
                {
                    "towns_reporting": row.towns_reporting,
                    "requests_filed": row.requests_filed,
                    "requests_resolved": row.requests_resolved,
                    "median_resolution_hours": row.median_resolution_hours,
                    "median_resolution_working_hours": row.median_resolution_working_hours,
                    "money_collected": row.money_collected,
                    "figures": row.figures,
                },
            )
            if (row := stored.get(month))
            else Month(month=month)
            for month in wanted
        ]
    rows: dict[dt.date, list[TownMonthlyFigures]] = {month: [] for month in wanted}
    for row in TownMonthlyFigures.objects.filter(month__in=wanted, municipality__in=scope.towns()):
        rows[row.month].append(row)
    return [_month(month, combine(rows[month])) for month in wanted]


@dataclass
class AreaTotal:
    code: str
    name: str
    towns: int
    requests_filed: int
    money_collected: Decimal
    median_resolution_hours: float | None


def area_totals(scope: Scope = Scope(), *, months: int = 12, today: dt.date | None = None) -> list[AreaTotal]:
    """Totals over the last `months` months per province (national scope) or per district (a
    province), for the bars and the drill-down."""
    wanted = months_back(today or timezone.localdate(), months)
    by_district = bool(scope.province)
    key = "district" if by_district else "province"
    groups: dict[tuple[str, str], list[TownMonthlyFigures]] = {}
    rows = TownMonthlyFigures.objects.filter(month__in=wanted, municipality__in=scope.towns()).select_related(
        "municipality"
    )
    for row in rows:
        town = row.municipality
        code = town.district_code if by_district else town.province_code
        groups.setdefault((code, getattr(town, key) or code), []).append(row)
    totals = []
    for (code, name), members in groups.items():
        totals.append(
            AreaTotal(
                code=code,
                name=name,
                towns=len({row.municipality_id for row in members}),
                requests_filed=sum(row.requests_filed for row in members),
                money_collected=sum((row.money_collected for row in members), Decimal("0")),
                median_resolution_hours=weighted_median(
                    (row.median_resolution_hours, row.requests_resolved) for row in members
                ),
            )
        )
    return sorted(totals, key=lambda area: (-area.requests_filed, area.name))


@dataclass
class LeagueRow:
    town: Municipality
    first_months: str
    before_days: float | None
    now_days: float | None
    overdue_before: int
    overdue_now: int
    failing: str

    @property
    def overdue_change(self) -> int:
        return self.overdue_now - self.overdue_before

    @property
    def times_faster(self) -> float | None:
        if self.before_days and self.now_days:
            return round(self.before_days / self.now_days, 1)
        return None


def _median_days(rows: list[TownMonthlyFigures]) -> float | None:
    complaints = merge_figures((row.figures.get("complaints") or {}) for row in rows)
    hours = _median(complaints.get("median_hours"))
    return round(hours / 24, 1) if hours is not None else None


def _overdue(row: TownMonthlyFigures | None) -> int:
    if row is None:
        return 0
    return sum(int((row.figures.get(label) or {}).get("overdue", 0)) for label in row.figures)


def league_table(scope: Scope = Scope(), *, today: dt.date | None = None) -> list[LeagueRow]:
    """Every town of `scope` with figures: median resolution days in its first months on record
    (before the platform took hold) against its last months, and its overdue count this month
    against last month. Towns whose overdue count is rising come first, then the slowest now."""
    today = today or timezone.localdate()
    this_month, last_month = months_back(today, 2)[::-1]
    rows_by_town: dict[int, list[TownMonthlyFigures]] = {}
    for row in TownMonthlyFigures.objects.filter(municipality__in=scope.towns()).order_by("month"):
        rows_by_town.setdefault(row.municipality_id, []).append(row)
    towns = {t.pk: t for t in Municipality.objects.filter(pk__in=rows_by_town)}
    statuses = {s.municipality_id: s for s in TownFiguresStatus.objects.filter(municipality__in=rows_by_town)}
    table = []
    for town_id, rows in rows_by_town.items():
        with_complaints = [row for row in rows if (row.figures.get("complaints") or {}).get("median_hours")]
        first = with_complaints[:LEAGUE_WINDOW_MONTHS]
        last = with_complaints[-LEAGUE_WINDOW_MONTHS:] if len(with_complaints) > LEAGUE_WINDOW_MONTHS else []
        by_month = {row.month: row for row in rows}
        status = statuses.get(town_id)
        table.append(
            LeagueRow(
                town=towns[town_id],
                first_months=", ".join(f"{row.month.month:02d}/{(row.month.year + 543) % 100:02d}" for row in first),
                before_days=_median_days(first),
                now_days=_median_days(last),
                overdue_before=_overdue(by_month.get(last_month)),
                overdue_now=_overdue(by_month.get(this_month)),
                failing=status.last_error if status and status.is_failing else "",
            )
        )
    return sorted(table, key=lambda r: (-max(r.overdue_change, 0), -(r.now_days or 0), r.town.name_th))


def failing_towns() -> list[TownFiguresStatus]:
    """Towns whose last figures refresh failed, with the reason (shown above the national figures)."""
    return [
        status
        for status in TownFiguresStatus.objects.select_related("municipality").order_by("-last_failure_at")
        if status.is_failing
    ]
