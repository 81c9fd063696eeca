"""One Stop Service figures for the national summary (onboarding/summary.py): aggregates only.

Resolution time is measured two ways, both from filing to the (last) resolution:
  calendar hours — what the reporter waited;
  working hours  — office hours on working days elapsed (the SLA clock). A fix made outside office
                   hours uses none of them, so it counts 0 working hours: true for the SLA, and the
                   reason both figures are always shown together.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Q
from django.utils import timezone

from .models import Complaint, Referral
from .selectors import Percentile, hours_to_resolve
from .workflow import ComplaintStatus

# Merged duplicates carry no work of their own; rejected cases were never the town's to fix.
NOT_COUNTED = (ComplaintStatus.MERGED,)


def monthly_figures(start: dt.datetime, end: dt.datetime) -> dict | None:
    """Complaints of [start, end): filed, resolved, resolution time (calendar and working hours,
    median and p90), resolved within SLA, reopened, referred, overdue at the month's end."""
    cases = Complaint.objects.exclude(status__in=NOT_COUNTED)
    filed = cases.filter(received_at__gte=start, received_at__lt=end).count()
    resolved = cases.filter(resolved_at__gte=start, resolved_at__lt=end).aggregate(
        count=Count("pk"),
        median=Percentile(hours_to_resolve(), 0.5),
        p90=Percentile(hours_to_resolve(), 0.9),
        median_working=Percentile("resolution_working_hours", 0.5),
        p90_working=Percentile("resolution_working_hours", 0.9),
        # A reopened case missed the SLA whatever its later time: the first fix did not hold.
        within_sla=Count("pk", filter=Q(resolved_at__lte=F("due_at"), reopen_count=0)),
        reopened=Count("pk", filter=Q(reopen_count__gt=0)),
    )
    moment = min(end, timezone.now())
    overdue = (
        cases.filter(received_at__lt=moment, due_at__lt=moment)
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gt=moment))
        .exclude(status__in=(ComplaintStatus.REJECTED, ComplaintStatus.REFERRED))
        .count()
    )
    referred = Referral.objects.filter(created_at__gte=start, created_at__lt=end).count()
    count = resolved["count"]
    if not (filed or count or overdue or referred):
        return None

    def median(value):
        return {"median": round(float(value), 2), "weight": count} if value is not None and count else None

    return {
        "requests_filed": filed,
        "requests_resolved": count,
        "median_hours": median(resolved["median"]),
        "p90_hours": median(resolved["p90"]),
        "median_working_hours": median(resolved["median_working"]),
        "p90_working_hours": median(resolved["p90_working"]),
        "within_sla": resolved["within_sla"],
        "reopened": resolved["reopened"],
        "referred": referred,
        "overdue": overdue,
    }
