"""The reporter's verdict on a resolution: confirm and rate, or reopen within the town's period."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from services.common import outbox
from services.common.workflow import move
from tenants.current import current_town

from ..models import (
    Complaint,
    ComplaintEvent,
    OssSettings,
)
from ..workflow import TRANSITIONS
from .common import S, clean_text, locked_complaint, working_calendar
from .notices import notify_status_changed


@transaction.atomic
def confirm_resolution(*, complaint_id: int, rating: int, comment: str = "") -> Complaint:
    """The reporter agrees the work is done and rates it 1–5; the case closes."""
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"rating": _("ให้คะแนน 1 ถึง 5 (Rate from 1 to 5)")})
    comment = clean_text(comment, name="comment", required=False, max_length=500)
    complaint = locked_complaint(complaint_id)
    move(complaint, to=S.CLOSED, by=None, transitions=TRANSITIONS, note="")
    complaint.rating, complaint.rating_comment = rating, comment
    complaint.closed_at = timezone.now()
    complaint.closure = Complaint.Closure.CONFIRMED
    complaint.save()
    ComplaintEvent.objects.create(
        complaint=complaint,
        kind=ComplaintEvent.Kind.RATING,
        is_public=False,
        text=f"{rating}/5 {comment}".strip(),
    )
    return complaint


@transaction.atomic
def reopen_complaint(*, complaint_id: int, reason: str) -> Complaint:
    """The reporter is not satisfied: within the reopening period the case goes back to work."""
    reason = clean_text(reason, name="reason", max_length=1000)
    complaint = locked_complaint(complaint_id)
    limit = OssSettings.current().reopen_days
    if (
        complaint.status != S.RESOLVED
        or not complaint.resolved_at
        or timezone.now() > complaint.resolved_at + dt.timedelta(days=limit)
    ):
        raise ValidationError(
            {
                "reason": _("เปิดเรื่องใหม่ได้ภายใน %(n)s วันหลังดำเนินการแล้ว (Reopen within %(n)s days of resolution)")
                % {"n": limit}
            }
        )
    move(complaint, to=S.REOPENED, by=None, transitions=TRANSITIONS, note=reason)
    now = timezone.now()
    complaint.reopen_count += 1
    complaint.escalation_level = 0
    complaint.resolved_at = None
    complaint.resolution_working_hours = None
    complaint.due_at = working_calendar(now).add_working_hours(now, complaint.category.sla_hours)
    complaint.save()
    notify_status_changed(complaint, note=reason)
    if complaint.assigned_to and complaint.assigned_to.email:
        outbox.enqueue(
            channel="email",
            recipient=complaint.assigned_to.email,
            subject=f"[{current_town().short_code}] {complaint.tracking_code}",
            body=_("ผู้แจ้งเปิดเรื่อง %(code)s ใหม่: %(reason)s") % {"code": complaint.tracking_code, "reason": reason},
            key=f"oss:{complaint.pk}:reopened:{complaint.reopen_count}:officer",
        )
    return complaint
