"""Figures of one case type (building permits, food premises) for the national summary: counts and
the time from filing to the issued document, against the type's legal limit. Aggregates only."""

from __future__ import annotations

import datetime as dt
import math
import statistics

from django.db.models import Q
from django.utils import timezone

from .models import Case, CaseStatus, Certificate
from .working_days import working_days_between


def case_figures(
    *, kind: str, start: dt.datetime, end: dt.datetime, limit_days: int, working_days: bool
) -> dict | None:
    """Applications filed, documents issued, refused, median (and p90) days from filing to the
    document — calendar or working days — how many of those were within `limit_days`, and the
    cases past their statutory date at the month's end."""
    cases = Case.objects.filter(kind=kind)
    filed = cases.filter(submitted_at__gte=start, submitted_at__lt=end).count()
    tz = timezone.get_default_timezone()
    first, last = start.astimezone(tz).date(), (end.astimezone(tz) - dt.timedelta(microseconds=1)).date()
    issued = list(
        Certificate.objects.filter(
            kind=kind, issued_on__gte=first, issued_on__lte=last, case__submitted_at__isnull=False
        ).values_list("case__submitted_at", "issued_on")
    )
    refused = cases.filter(status=CaseStatus.REFUSED, decided_at__gte=start, decided_at__lt=end).count()
    moment = min(end, timezone.now())
    today = moment.astimezone(tz).date()
    overdue = (
        cases.filter(submitted_at__lt=moment, due_date__lt=today)
        .filter(Q(decided_at__isnull=True) | Q(decided_at__gt=moment))
        .exclude(status__in=(CaseStatus.DRAFT, CaseStatus.WITHDRAWN, CaseStatus.VOID))
        .count()
    )
    if not (filed or issued or refused or overdue):
        return None
    days = sorted(
        working_days_between(submitted.astimezone(tz).date(), on)
        if working_days
        else (on - submitted.astimezone(tz).date()).days
        for submitted, on in issued
    )
    count = len(days)

    def shape(value):
        return {"median": round(float(value), 2), "weight": count} if count else None

    return {
        "requests_filed": filed,
        "requests_resolved": count + refused,
        "issued": count,
        "refused": refused,
        "median_days": shape(statistics.median(days)) if days else None,
        "p90_days": shape(days[math.ceil(0.9 * count) - 1]) if days else None,  # nearest rank
        "within_limit": sum(1 for d in days if d <= limit_days),
        "overdue": overdue,
    }
