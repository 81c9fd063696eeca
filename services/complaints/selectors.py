"""Reads of One Stop Service. Visibility is enforced here, so pages, the API and exports agree:
town-wide roles see everything, department heads their department, officers what they were given,
B-Buddy volunteers only what they filed, citizens only their own cases."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import Extract, TruncDate, TruncMonth
from django.utils import timezone

from services.accounts.models import User

from .models import Category, Community, Complaint, ComplaintEvent, ComplaintPhoto
from .sla import BANGKOK
from .workflow import OPEN_STATUSES, ComplaintStatus

S = ComplaintStatus
DUPLICATE_RADIUS_METRES = 100
DUPLICATE_WINDOW_DAYS = 7


class Percentile(Aggregate):
    function = "percentile_cont"
    template = "%(function)s(%(percentile)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, percentile: float, **extra):
        super().__init__(expression, percentile=percentile, **extra)


def hours_to_resolve() -> ExpressionWrapper:
    """Calendar hours from filing to the (last) resolution, as a database expression."""
    return ExpressionWrapper(
        Extract(ExpressionWrapper(F("resolved_at") - F("received_at"), output_field=DurationField()), "epoch")
        / 3600.0,
        output_field=FloatField(),
    )


# --- visibility ----------------------------------------------------------------------------------


def complaints_visible_to(user: User) -> QuerySet[Complaint]:
    """Every case this staff member may open; none for anyone else."""
    base = Complaint.objects.select_related("category", "community", "department", "assigned_to")
    if not user.is_authenticated or not user.is_active or not user.is_staff_member:
        return base.none()
    if user.has_perm("complaints.view_all_complaints"):
        return base
    rule = Q(assigned_to=user) | Q(filed_by=user)
    if user.has_perm("complaints.view_department_complaints") and user.department_id:
        rule |= Q(department_id=user.department_id)
    return base.filter(rule)


def complaint_for_staff(*, user: User, complaint_id: int) -> Complaint | None:
    return complaints_visible_to(user).filter(pk=complaint_id).first()


def complaints_of_citizen(user: User) -> QuerySet[Complaint]:
    if not user.is_authenticated:
        return Complaint.objects.none()
    return Complaint.objects.filter(reporter_user=user).select_related("category")


def complaint_by_code_and_phone(*, tracking_code: str, phone_last4: str) -> Complaint | None:
    """The tracking look-up: the code plus the last four digits of the phone used (no enumeration)."""
    code = (tracking_code or "").strip().upper()
    digits = "".join(c for c in (phone_last4 or "") if c.isdigit())
    if len(digits) != 4 or not code:
        return None
    complaint = Complaint.objects.select_related("category").filter(tracking_code=code).first()
    if complaint is None or not complaint.reporter_phone or complaint.phone_last4 != digits:
        return None
    return complaint


def complaint_by_access_token(token: str) -> Complaint | None:
    if not token:
        return None
    return Complaint.objects.select_related("category").filter(access_token=token).first()


def public_timeline(complaint: Complaint) -> list[ComplaintEvent]:
    """What the reporter sees: status changes, public replies and recategorisation; never notes."""
    events = (
        complaint.events.filter(is_public=True).prefetch_related("photos__file").order_by("created_at", "pk")
    )
    return list(events)


def staff_timeline(complaint: Complaint) -> list[ComplaintEvent]:
    return list(
        complaint.events.select_related("by").prefetch_related("photos__file").order_by("created_at", "pk")
    )


def messages_to_reporter(complaint: Complaint):
    """The SMS, e-mail and LINE messages this case sent its reporter, with what the provider said
    (handed over, delivered, refused and why), oldest first; for the staff timeline."""
    from services.common.models import OutboxMessage

    return OutboxMessage.objects.filter(idempotency_key__startswith=f"oss:{complaint.pk}:").only(
        "channel", "status", "provider", "provider_status", "provider_status_at", "last_error", "created_at",
        "sent_at", "attempts", "idempotency_key",
    ).order_by("created_at", "pk")


def photos_of(complaint: Complaint, *, kind: str | None = None) -> QuerySet[ComplaintPhoto]:
    qs = complaint.photos.select_related("file")
    return qs.filter(kind=kind) if kind else qs


# --- inbox ---------------------------------------------------------------------------------------


@dataclass
class InboxFilter:
    status: str = ""
    category: str = ""
    community: str = ""
    department: str = ""
    channel: str = ""
    overdue: bool = False
    queue: str = ""  # "mine" | "triage" | "department" | "escalated"
    query: str = ""
    sort: str = ""  # "" (due first) | "supporters" (most "me too" first)

    @classmethod
    def from_params(cls, params) -> InboxFilter:
        return cls(
            status=params.get("status", "").strip(),
            category=params.get("category", "").strip(),
            community=params.get("community", "").strip(),
            department=params.get("department", "").strip(),
            channel=params.get("channel", "").strip(),
            overdue=params.get("overdue") in ("1", "true", "on"),
            queue=params.get("queue", "").strip(),
            query=params.get("q", "").strip()[:100],
            sort="supporters" if params.get("sort", "").strip() == "supporters" else "",
        )


def inbox(*, user: User, filters: InboxFilter, now: dt.datetime | None = None) -> QuerySet[Complaint]:
    """The staff work list after visibility, queue, filters and search, oldest due first."""
    now = now or timezone.now()
    qs = complaints_visible_to(user)
    if filters.queue == "mine":
        qs = qs.filter(assigned_to=user)
    elif filters.queue == "triage":
        qs = qs.filter(status=S.RECEIVED)
    elif filters.queue == "department":
        qs = qs.filter(department_id=user.department_id, status__in=[S.ACCEPTED, S.REOPENED, S.RECEIVED])
    elif filters.queue == "escalated":
        qs = qs.filter(escalation_level__gt=0, status__in=OPEN_STATUSES)
    elif filters.queue == "filed":
        qs = qs.filter(filed_by=user)
    if filters.status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif filters.status in S.values:
        qs = qs.filter(status=filters.status)
    if filters.category:
        qs = qs.filter(category__code=filters.category)
    if filters.community.isdigit():
        qs = qs.filter(community_id=int(filters.community))
    if filters.department.isdigit():
        qs = qs.filter(department_id=int(filters.department))
    if filters.channel in Complaint.Channel.values:
        qs = qs.filter(channel=filters.channel)
    if filters.overdue:
        qs = qs.filter(status__in=OPEN_STATUSES, due_at__lt=now)
    if filters.query:
        # Thai has no spaces between words, so substring search (not tsvector) is the honest match.
        term = filters.query
        qs = qs.filter(
            Q(tracking_code__icontains=term)
            | Q(description__icontains=term)
            | Q(address_text__icontains=term)
            | Q(reporter_name__icontains=term)
            | Q(reporter_phone__contains=term)
            | Q(category__name_th__icontains=term)
        )
    if filters.sort == "supporters":
        return qs.order_by("-supporter_count", F("due_at").asc(nulls_last=True), "-received_at")
    return qs.order_by(F("due_at").asc(nulls_last=True), "-received_at")


def duplicate_candidates(complaint: Complaint) -> list[Complaint]:
    """Same category, within 100 m and 7 days, not already closed or merged: shown at triage."""
    lat, lon = float(complaint.latitude), float(complaint.longitude)
    dlat = DUPLICATE_RADIUS_METRES / 111_320
    dlon = DUPLICATE_RADIUS_METRES / (111_320 * max(math.cos(math.radians(lat)), 0.01))
    window = dt.timedelta(days=DUPLICATE_WINDOW_DAYS)
    near = (
        Complaint.objects.select_related("category")
        .filter(
            category_id=complaint.category_id,
            received_at__gte=complaint.received_at - window,
            received_at__lte=complaint.received_at + window,
            latitude__range=(Decimal(str(lat - dlat)), Decimal(str(lat + dlat))),
            longitude__range=(Decimal(str(lon - dlon)), Decimal(str(lon + dlon))),
            status__in=[*OPEN_STATUSES, S.RESOLVED],
        )
        .exclude(pk=complaint.pk)
    )
    found = []
    for other in near:
        if (
            distance_metres(lat, lon, float(other.latitude), float(other.longitude))
            <= DUPLICATE_RADIUS_METRES
        ):
            other.distance_m = round(distance_metres(lat, lon, float(other.latitude), float(other.longitude)))
            found.append(other)
    return sorted(found, key=lambda c: c.distance_m)


def distance_metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine), good to centimetres at town scale."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


def officers_for_assignment(*, by: User, complaint: Complaint) -> QuerySet[User]:
    """Who `by` may hand this case to: active officers with the work permission, of the department."""
    people = (
        User.objects.filter(is_active=True, kind=User.Kind.STAFF)
        .filter(
            Q(groups__permissions__codename="work_complaint") | Q(user_permissions__codename="work_complaint")
        )
        .distinct()
        .order_by("first_name", "username")
    )
    department_id = complaint.department_id or by.department_id
    if not by.has_perm("complaints.view_all_complaints") and department_id:
        people = people.filter(department_id=department_id)
    return people.select_related("department")


def active_categories() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).order_by("order", "name_th")


def active_communities() -> QuerySet[Community]:
    return Community.objects.filter(is_active=True)


def remaining_working_hours(complaint: Complaint, calendar, now: dt.datetime | None = None) -> Decimal | None:
    """Countdown of an open case in working hours; negative when overdue."""
    if not complaint.is_open or complaint.due_at is None:
        return None
    now = now or timezone.now()
    if complaint.due_at >= now:
        return calendar.working_hours_between(now, complaint.due_at)
    return -calendar.working_hours_between(complaint.due_at, now)


# --- dashboard -----------------------------------------------------------------------------------


def _resolution_stats(qs: QuerySet[Complaint]) -> dict:
    done = qs.filter(resolved_at__isnull=False)
    row = done.aggregate(
        count=Count("pk"),
        median=Percentile(hours_to_resolve(), 0.5),
        p90=Percentile(hours_to_resolve(), 0.9),
        median_working=Percentile("resolution_working_hours", 0.5),
        # A reopened case is a miss whatever its later resolution time: the first fix did not hold.
        on_time=Count("pk", filter=Q(resolved_at__lte=F("due_at"), reopen_count=0)),
    )
    count = row["count"] or 0

    def hours(value):
        # Two places: a fix in 3 minutes is 0.05 h, not "0.0" (the page shows it in minutes).
        return round(float(value), 2) if value is not None else None

    return {
        "resolved": count,
        "median_hours": hours(row["median"]),
        "p90_hours": hours(row["p90"]),
        "median_working_hours": hours(row["median_working"]),
        "sla_percent": round(100 * row["on_time"] / count, 1) if count else None,
    }


def before_go_live(went_live_on: dt.date | None) -> dict | None:
    """Resolution time of the cases received before the town went live with this system (its own
    data: paper-era cases keyed in at the counter), or None when it holds none."""
    if went_live_on is None:
        return None
    start = dt.datetime.combine(went_live_on, dt.time.min, BANGKOK)
    stats = _resolution_stats(Complaint.objects.filter(received_at__lt=start).exclude(status=S.MERGED))
    if not stats["resolved"]:
        return None
    return {**stats, "median_days": round(stats["median_hours"] / 24, 2), "until": went_live_on}


def dashboard(
    *, since: dt.date, until: dt.date, baseline_days: Decimal, went_live_on: dt.date | None = None
) -> dict:
    """Executive figures for cases received in [since, until] (Bangkok dates).

    "Before → now": the median days to resolve before `went_live_on` from the town's own cases when
    it holds some (`before_source` "data"), else the figure the town entered (`baseline_days`,
    `before_source` "setting"), against the median of the period shown."""
    start = dt.datetime.combine(since, dt.time.min, BANGKOK)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, BANGKOK)
    now = timezone.now()
    period = Complaint.objects.filter(received_at__gte=start, received_at__lt=end).exclude(status=S.MERGED)
    summary = _resolution_stats(period)
    summary.update(
        received=period.count(),
        open_backlog=Complaint.objects.open().count(),
        overdue=Complaint.objects.overdue(now).count(),
        rating=period.filter(rating__isnull=False).aggregate(avg=Avg("rating"))["avg"],
    )
    median_days = summary["median_hours"] / 24 if summary["median_hours"] is not None else None
    before = before_go_live(went_live_on) if went_live_on and went_live_on <= since else None
    before_days = before["median_days"] if before else (float(baseline_days) if baseline_days else None)
    summary["baseline_days"] = baseline_days
    summary["went_live_on"] = went_live_on
    summary["before_days"] = before_days
    summary["before_hours"] = before_days * 24 if before_days is not None else None
    summary["before_source"] = "data" if before else "setting"
    summary["before_resolved"] = before["resolved"] if before else None
    summary["median_days"] = round(median_days, 2) if median_days is not None else None
    summary["improvement_factor"] = (
        round(before_days / median_days, 1) if median_days and before_days else None
    )
    received_daily = dict(
        period.annotate(day=TruncDate("received_at", tzinfo=BANGKOK))
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    resolved_daily = dict(
        Complaint.objects.filter(resolved_at__gte=start, resolved_at__lt=end)
        .annotate(day=TruncDate("resolved_at", tzinfo=BANGKOK))
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    days = []
    day = since
    while day <= until:
        days.append(
            {"day": day, "received": received_daily.get(day, 0), "resolved": resolved_daily.get(day, 0)}
        )
        day += dt.timedelta(days=1)

    def breakdown(field: str, label_field: str) -> list[dict]:
        rows = []
        keys = period.values_list(field, label_field).distinct().order_by(label_field)
        for key, label in keys:
            group = period.filter(**{field: key})
            stats = _resolution_stats(group)
            stats.update(
                label=label or "—",
                received=group.count(),
                open=group.filter(status__in=OPEN_STATUSES).count(),
            )
            rows.append(stats)
        return rows

    busiest = max([1, *(max(d["received"], d["resolved"]) for d in days)])
    for d in days:
        d["received_pct"] = round(100 * d["received"] / busiest)
        d["resolved_pct"] = round(100 * d["resolved"] / busiest)
    heat = list(
        period.annotate(
            cell_lat=Func(F("latitude"), 3, function="ROUND", output_field=FloatField()),
            cell_lon=Func(F("longitude"), 3, function="ROUND", output_field=FloatField()),
        )
        .values("cell_lat", "cell_lon")
        .annotate(n=Count("pk"))
        .values_list("cell_lat", "cell_lon", "n")
    )
    return {
        "summary": summary,
        "quality": resolution_quality(period),
        "days": days,
        "by_category": breakdown("category_id", "category__name_th"),
        "by_department": breakdown("department_id", "department__name_th"),
        "by_community": breakdown("community_id", "community__name_th"),
        "heat": [[float(a), float(b), n] for a, b, n in heat],
    }


# --- proof of resolution: quality of closing work ------------------------------------------------

# Outlier score of a department or officer: the sum of four "bad" shares, each 0–1 —
#   reopen rate + (1 − share confirmed by reporters) + share without an after photo + ½ × share
#   resolved with a photo-distance exception   (0 = every fix held, was confirmed and photographed).
# A row is an outlier when it has at least QUALITY_MIN_RESOLVED resolutions (fewer is noise) and its
# score exceeds the town's own score by QUALITY_OUTLIER_MARGIN. Outliers come first, then by score.
QUALITY_MIN_RESOLVED = 3
QUALITY_OUTLIER_MARGIN = 0.25


def _quality_metrics() -> dict:
    return {
        "resolved": Count("pk"),
        "reopened": Count("pk", filter=Q(reopen_count__gt=0)),
        "closed": Count("pk", filter=Q(status=S.CLOSED)),
        "confirmed": Count("pk", filter=Q(closure=Complaint.Closure.CONFIRMED)),
        "without_photo": Count("pk", filter=Q(resolved_without_photo=True) | Q(has_after_photo=False)),
        "with_exception": Count("pk", filter=~Q(photo_exception_reason="")),
    }


def _quality_row(row: dict, label: str) -> dict:
    resolved, closed = row["resolved"] or 0, row["closed"] or 0

    def share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    reopen = share(row["reopened"], resolved)
    confirmed = share(row["confirmed"], closed)
    without = share(row["without_photo"], resolved)
    exception = share(row["with_exception"], resolved)
    score = (reopen or 0) + (1 - confirmed if confirmed is not None else 0) + (without or 0) + 0.5 * (exception or 0)

    def percent(value: float | None) -> float | None:
        return round(100 * value, 1) if value is not None else None

    return {
        "label": label,
        "resolved": resolved,
        "reopened": row["reopened"],
        "closed": closed,
        "confirmed": row["confirmed"],
        "without_photo": row["without_photo"],
        "with_exception": row["with_exception"],
        "reopen_percent": percent(reopen),
        "confirmed_percent": percent(confirmed),
        "without_photo_percent": percent(without),
        "exception_percent": percent(exception),
        "outlier_score": round(score, 3),
    }


def _outliers_first(rows: list[dict], town_score: float) -> list[dict]:
    for row in rows:
        row["is_outlier"] = (
            row["resolved"] >= QUALITY_MIN_RESOLVED and row["outlier_score"] >= town_score + QUALITY_OUTLIER_MARGIN
        )
    return sorted(rows, key=lambda r: (not r["is_outlier"], -r["outlier_score"], -r["resolved"], r["label"]))


def resolution_quality(cases: QuerySet[Complaint]) -> dict:
    """Proof-of-resolution figures for the given cases, for the town and per department and per
    officer who resolved (`resolved_by`); three aggregate queries whatever the number of cases.

    A case counts once it has been resolved (it has `resolved_by`, or is resolved/closed): it stays
    counted for its resolver after a reopening. Confirmed share = confirmed by the reporter over closed;
    without photo = `resolved_without_photo` or no AFTER photo at all."""
    done = (
        cases.filter(Q(resolved_by__isnull=False) | Q(status__in=[S.RESOLVED, S.CLOSED]))
        .annotate(
            has_after_photo=Exists(
                ComplaintPhoto.objects.filter(complaint=OuterRef("pk"), kind=ComplaintPhoto.Kind.AFTER)
            )
        )
        .order_by()
    )
    town = _quality_row(done.aggregate(**_quality_metrics()), "")
    departments = [
        _quality_row(row, row["department__name_th"] or "—")
        for row in done.values("department_id", "department__name_th").annotate(**_quality_metrics())
    ]
    officers = []
    for row in done.values(
        "resolved_by_id", "resolved_by__username", "resolved_by__first_name", "resolved_by__last_name"
    ).annotate(**_quality_metrics()):
        name = f"{row['resolved_by__first_name']} {row['resolved_by__last_name']}".strip()
        item = _quality_row(row, name or row["resolved_by__username"] or "—")
        item["username"] = row["resolved_by__username"]
        officers.append(item)
    return {
        "town": town,
        "by_department": _outliers_first(departments, town["outlier_score"]),
        "by_officer": _outliers_first(officers, town["outlier_score"]),
        "min_resolved": QUALITY_MIN_RESOLVED,
        "margin": QUALITY_OUTLIER_MARGIN,
    }


def transparency(*, months: int = 12) -> dict:
    """The public page: aggregates and a map of resolved cases, with no personal data at all."""
    now = timezone.now()
    since = (
        now.astimezone(BANGKOK).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        - dt.timedelta(days=31 * (months - 1))
    ).replace(day=1)
    cases = Complaint.objects.exclude(status=S.MERGED)
    totals = _resolution_stats(cases)
    totals.update(received=cases.count(), open=cases.filter(status__in=OPEN_STATUSES).count())
    recent = cases.filter(received_at__gte=since)
    by_month_category = []
    rows = (
        recent.annotate(month=TruncMonth("received_at", tzinfo=BANGKOK))
        .values("month", "category__name_th", "category__icon")
        .annotate(
            received=Count("pk"),
            resolved=Count("pk", filter=Q(resolved_at__isnull=False)),
            on_time=Count("pk", filter=Q(resolved_at__lte=F("due_at"), reopen_count=0)),
        )
        .order_by("-month", "category__name_th")
    )
    for row in rows:
        row["sla_percent"] = round(100 * row["on_time"] / row["resolved"], 1) if row["resolved"] else None
        by_month_category.append(row)
    points = [
        {"lat": round(float(lat), 3), "lon": round(float(lon), 3), "icon": icon, "category": name}
        for lat, lon, icon, name in cases.filter(status__in=[S.RESOLVED, S.CLOSED])
        .order_by("-resolved_at")
        .values_list("latitude", "longitude", "category__icon", "category__name_th")[:2000]
    ]
    return {"totals": totals, "by_month_category": by_month_category, "points": points}
