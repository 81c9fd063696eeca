"""What the town's messages did: counts per channel and state, SMS parts and credit spent, the
failures with the provider's reason. Read by the staff messaging page and, as monthly aggregates
without any recipient, by the national summary."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from .buddhist_era import BANGKOK
from .models import OutboxMessage


def month_start(now: dt.datetime | None = None) -> dt.datetime:
    """Midnight on the first of this month, Thai time."""
    local = (now or timezone.now()).astimezone(BANGKOK)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def counts_by_channel(start: dt.datetime, end: dt.datetime) -> list[dict]:
    """One row per channel: pending, sent, failed, delivered (provider receipt), parts, cost."""
    rows = (
        OutboxMessage.objects.filter(created_at__gte=start, created_at__lt=end)
        .values("channel")
        .annotate(
            total=Count("pk"),
            pending=Count("pk", filter=Q(status=OutboxMessage.Status.PENDING)),
            sent=Count("pk", filter=Q(status=OutboxMessage.Status.SENT)),
            failed=Count("pk", filter=Q(status=OutboxMessage.Status.FAILED)),
            expired=Count("pk", filter=Q(status=OutboxMessage.Status.EXPIRED)),
            delivered=Count("pk", filter=Q(provider_status="delivered")),
            undelivered=Count("pk", filter=Q(provider_status__in=("undelivered", "failed"), status=OutboxMessage.Status.SENT)),
            parts=Sum("segments"),
            cost=Sum("cost"),
        )
        .order_by("channel")
    )
    return [dict(r, parts=r["parts"] or 0, cost=r["cost"] or Decimal(0)) for r in rows]


def failures(limit: int = 50) -> QuerySet[OutboxMessage]:
    """Messages that failed for good, or are waiting on a retry after an error, newest first."""
    return (
        OutboxMessage.objects.filter(
            Q(status=OutboxMessage.Status.FAILED)
            | Q(status=OutboxMessage.Status.PENDING, attempts__gt=0)
            | Q(provider_status__in=("undelivered", "failed"))
        )
        .exclude(last_error="")
        .order_by("-created_at")[:limit]
    )


def monthly_figures(start: dt.datetime, end: dt.datetime) -> dict | None:
    """Counts and money only (no recipient, no text) for the national summary."""
    rows = counts_by_channel(start, end)
    if not rows:
        return None
    figures: dict = {"messages": sum(r["total"] for r in rows), "messages_failed": sum(r["failed"] for r in rows)}
    for row in rows:
        channel = row["channel"]
        figures[f"{channel}_sent"] = row["sent"]
        figures[f"{channel}_failed"] = row["failed"]
        figures[f"{channel}_expired"] = row["expired"]
        if channel == "sms":
            figures["sms_parts"] = row["parts"]
            figures["sms_cost"] = str(Decimal(row["cost"]).quantize(Decimal("0.01")))
    return figures
