"""Retention: per record type, personal data older than the town's rule is removed (daily, per town)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from services.casework.models import Case, CaseStatus
from services.common.models import OutboxMessage
from services.complaints.models import Complaint
from services.complaints.workflow import ComplaintStatus

from .actions import ERASED, anonymise_complaints
from .actions import retention_rule as _rule
from .models import RetentionRule


@shared_task(name="services.privacy.tasks.apply_retention")
def apply_retention(now: str | None = None) -> dict:
    """Closed complaints older than the rule lose the reporter's name, phone and e-mail; drafts never
    filed are deleted; messages to citizens that are done with (sent, failed, expired) lose their
    recipient and text, keeping channel, dates, parts and cost for the town's figures. Receipts,
    letters and permits are not touched: their retention is the law's."""
    moment = dt.datetime.fromisoformat(now) if now else timezone.now()
    done = {}
    rule = _rule(RetentionRule.RecordType.COMPLAINT)
    cutoff = moment - dt.timedelta(days=365 * rule.years)
    old = Complaint.objects.filter(
        status__in=[ComplaintStatus.CLOSED, ComplaintStatus.REJECTED, ComplaintStatus.MERGED],
        received_at__lt=cutoff, updated_at__lt=cutoff,
    ).exclude(reporter_name=ERASED)
    done["complaint"] = anonymise_complaints(old)
    rule.last_run_at, rule.last_run_count = moment, done["complaint"]
    rule.save(update_fields=["last_run_at", "last_run_count"])
    rule = _rule(RetentionRule.RecordType.CASE_DRAFT)
    cutoff = moment - dt.timedelta(days=365 * rule.years)
    drafts = Case.objects.filter(status=CaseStatus.DRAFT, updated_at__lt=cutoff)
    done["case_draft"] = drafts.count()
    drafts.delete()
    rule.last_run_at, rule.last_run_count = moment, done["case_draft"]
    rule.save(update_fields=["last_run_at", "last_run_count"])
    rule = _rule(RetentionRule.RecordType.MESSAGE)
    cutoff = moment - dt.timedelta(days=365 * rule.years)
    done["message"] = (
        OutboxMessage.objects.filter(created_at__lt=cutoff)
        .exclude(status=OutboxMessage.Status.PENDING)
        .exclude(recipient="")
        .update(recipient="", subject="", body="", reply_token="")
    )
    rule.last_run_at, rule.last_run_count = moment, done["message"]
    rule.save(update_fields=["last_run_at", "last_run_count"])
    return done
