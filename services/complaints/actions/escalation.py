"""Periodic work: overdue cases go up to the head and then the executives; unconfirmed resolutions close by silence."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from services.accounts.models import Department, User
from services.common import outbox
from services.common.workflow import move
from tenants.current import current_town

from ..models import (
    Complaint,
    ComplaintEvent,
    OssSettings,
)
from ..sla import BANGKOK
from ..workflow import TRANSITIONS
from .common import S, locked_complaint, working_calendar


def _heads_of(department: Department | None) -> list[User]:
    people = User.objects.filter(is_active=True, kind=User.Kind.STAFF, groups__name="department_head")
    if department is not None:
        people = people.filter(Q(department=department) | Q(pk=department.head_id))
    return list(people.distinct())


def _executives() -> list[User]:
    return list(User.objects.filter(is_active=True, kind=User.Kind.STAFF, groups__name="executive").distinct())


def escalate_overdue(*, now: dt.datetime | None = None) -> int:
    """Overdue open cases go up one level: to the department head, then (one more target later)
    to the executives. Each step is written once and notifies by email and SMS; returns cases moved."""
    now = now or timezone.now()
    moved = 0
    for complaint_id in Complaint.objects.overdue(now).filter(escalation_level__lt=2).values_list("pk", flat=True):
        with transaction.atomic():
            complaint = locked_complaint(complaint_id)
            if not complaint.is_overdue or complaint.escalation_level >= 2:
                continue
            if complaint.escalation_level == 1:
                # Executives hear of it once it is late by a second full target period.
                second_due = working_calendar(complaint.due_at, now).add_working_hours(
                    complaint.due_at, complaint.category.sla_hours
                )
                if now < second_due:
                    continue
            level = complaint.escalation_level + 1
            people = _heads_of(complaint.department) if level == 1 else _executives()
            complaint.escalation_level, complaint.escalated_at = level, now
            complaint.save(update_fields=["escalation_level", "escalated_at", "updated_at"])
            names = ", ".join(p.display_name for p in people) or _("(ไม่พบผู้รับ)")
            ComplaintEvent.objects.create(
                complaint=complaint,
                kind=ComplaintEvent.Kind.ESCALATION,
                is_public=False,
                text=_("เกินกำหนด แจ้ง%(who)s: %(names)s")
                % {"who": _("หัวหน้ากอง") if level == 1 else _("ผู้บริหาร"), "names": names},
            )
            body = _("เรื่อง %(code)s (%(category)s) เกินกำหนดแล้ว กำหนดเสร็จ %(due)s") % {
                "code": complaint.tracking_code,
                "category": complaint.category.name_th,
                "due": complaint.due_at.astimezone(BANGKOK).strftime("%d/%m/%Y %H:%M"),
            }
            for person in people:
                for channel, recipient in (("email", person.email), ("sms", person.phone)):
                    outbox.enqueue(
                        channel=channel,
                        recipient=recipient,
                        body=body,
                        subject=f"[{current_town().short_code}] {complaint.tracking_code}",
                        key=f"oss:{complaint.pk}:escalate{level}:{complaint.reopen_count}:{person.pk}:{channel}",
                    )
            moved += 1
    return moved


def close_confirmed_by_silence(*, now: dt.datetime | None = None) -> int:
    """Resolved cases the reporter neither confirmed nor reopened within the period close by themselves."""
    now = now or timezone.now()
    limit = now - dt.timedelta(days=OssSettings.current().reopen_days)
    closed = 0
    for complaint_id in Complaint.objects.filter(status=S.RESOLVED, resolved_at__lt=limit).values_list("pk", flat=True):
        with transaction.atomic():
            complaint = locked_complaint(complaint_id)
            if complaint.status != S.RESOLVED or not complaint.resolved_at or complaint.resolved_at >= limit:
                continue
            move(
                complaint,
                to=S.CLOSED,
                by=None,
                transitions=TRANSITIONS,
                note=_("ปิดโดยไม่มีการยืนยันจากผู้แจ้ง (ครบกำหนดเปิดเรื่องใหม่)"),
            )
            complaint.closed_at = now
            complaint.closure = Complaint.Closure.UNCONFIRMED
            complaint.save()
            closed += 1
    return closed
