"""The OSS desk and the department head: accept, reject, merge, recategorise, assign; the officer starts work."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from services.accounts.models import Department, User
from services.common import outbox
from services.common.workflow import move
from tenants.current import current_town

from ..models import (
    Category,
    Complaint,
    ComplaintEvent,
)
from ..workflow import TRANSITIONS, TRIAGE, WORK
from .common import S, clean_text, is_head_of, locked_complaint, may_work_on, require_permission, working_calendar
from .notices import notify_reporters, notify_status_changed


@transaction.atomic
def accept_complaint(*, complaint_id: int, by: User, department: Department | None = None, note: str = "") -> Complaint:
    """OSS officer takes the case in and routes it to a department."""
    complaint = locked_complaint(complaint_id)
    move(complaint, to=S.ACCEPTED, by=by, transitions=TRANSITIONS, note=note[:500])
    complaint.department = department or complaint.department or complaint.category.department
    complaint.save()
    notify_status_changed(complaint)
    return complaint


@transaction.atomic
def reject_complaint(*, complaint_id: int, by: User, reason: str) -> Complaint:
    """Refuse a case with a reason the reporter sees (not our town's job, not a complaint, abusive)."""
    reason = clean_text(reason, name="reason", max_length=1000)
    complaint = locked_complaint(complaint_id)
    move(complaint, to=S.REJECTED, by=by, transitions=TRANSITIONS, note=reason)
    complaint.closed_at = timezone.now()
    complaint.save()
    notify_status_changed(complaint, note=reason)
    return complaint


@transaction.atomic
def merge_complaint(*, complaint_id: int, into_id: int, by: User) -> Complaint:
    """Close a duplicate into the surviving case; its reporter keeps hearing of the survivor's progress."""
    if complaint_id == into_id:
        raise ValidationError({"into": _("รวมเรื่องกับตัวเองไม่ได้ (Cannot merge a case into itself)")})
    first, second = sorted([complaint_id, into_id])  # lock in a fixed order: no deadlock with a reverse merge
    locked = {c.pk: c for c in Complaint.objects.select_for_update().filter(pk__in=[first, second])}
    if len(locked) != 2:
        raise ValidationError({"into": _("ไม่พบเรื่องที่จะรวม (Case to merge into not found)")})
    duplicate, survivor = locked[complaint_id], locked[into_id]
    if not survivor.is_open and survivor.status != S.RESOLVED:
        raise ValidationError({"into": _("เรื่องปลายทางปิดไปแล้ว (The target case is closed)")})
    note = _("รวมกับเรื่อง %(code)s") % {"code": survivor.tracking_code}
    move(duplicate, to=S.MERGED, by=by, transitions=TRANSITIONS, note=note)
    duplicate.merged_into = survivor
    duplicate.closed_at = timezone.now()
    duplicate.save()
    # Triage's count of people affected: the duplicate's reporter and its "me too" supporters join
    # the survivor (a person who supported both is counted twice; their messages still go once each).
    survivor.supporter_count = survivor.supporter_count + 1 + duplicate.supporter_count
    survivor.save(update_fields=["supporter_count", "updated_at"])
    ComplaintEvent.objects.create(
        complaint=survivor,
        kind=ComplaintEvent.Kind.MERGE,
        by=by,
        is_public=False,
        text=_("รวมเรื่อง %(code)s เข้ามา") % {"code": duplicate.tracking_code},
    )
    notify_reporters(
        duplicate,
        key="merged",
        text=_("เรื่องของท่านซ้ำกับเรื่อง %(code)s ที่กำลังดำเนินการ ท่านจะได้รับแจ้งความคืบหน้าของเรื่องนั้น")
        % {"code": survivor.tracking_code},
    )
    return duplicate


@transaction.atomic
def recategorise_complaint(*, complaint_id: int, by: User, category: Category) -> Complaint:
    """Change the category (and with it the department and SLA target) while the case is open."""
    require_permission(by, TRIAGE)
    complaint = locked_complaint(complaint_id)
    if not complaint.is_open:
        raise ValidationError({"category": _("เรื่องนี้ปิดแล้ว (This case is closed)")})
    if not category.is_active:
        raise ValidationError({"category": _("ประเภทนี้ถูกปิดใช้งาน (This category is inactive)")})
    old = complaint.category
    complaint.category = category
    if complaint.status in (S.RECEIVED, S.ACCEPTED):
        complaint.department = category.department or complaint.department
    complaint.due_at = working_calendar(complaint.received_at).add_working_hours(
        complaint.received_at, category.sla_hours
    )
    complaint.save()
    ComplaintEvent.objects.create(
        complaint=complaint,
        kind=ComplaintEvent.Kind.RECATEGORISE,
        by=by,
        is_public=True,
        text=f"{old.name_th} → {category.name_th}",
    )
    return complaint


@transaction.atomic
def assign_complaint(*, complaint_id: int, by: User, officer: User, note: str = "") -> Complaint:
    """A department head (or the OSS centre with town-wide rights) gives the case to one officer."""
    complaint = locked_complaint(complaint_id)
    if not (
        by.has_perm("complaints.view_all_complaints")
        or is_head_of(by, complaint.department)
        or complaint.department is None
    ):
        raise PermissionDenied(_("มอบหมายได้เฉพาะเรื่องของกองตนเอง (Only cases of your own department)"))
    if not (officer.is_active and officer.is_staff_member and officer.has_perm(WORK)):
        raise ValidationError(
            {"officer": _("ผู้รับมอบหมายต้องเป็นเจ้าหน้าที่ที่ปฏิบัติงานได้ (Not an officer who can work on cases)")}
        )
    move(complaint, to=S.ASSIGNED, by=by, transitions=TRANSITIONS, note="")
    complaint.assigned_to = officer
    if complaint.department is None:
        complaint.department = officer.department or by.department
    complaint.save()
    ComplaintEvent.objects.create(
        complaint=complaint,
        kind=ComplaintEvent.Kind.ASSIGNMENT,
        by=by,
        is_public=False,
        text=f"{officer.display_name}" + (f": {note[:500]}" if note else ""),
    )
    notify_status_changed(complaint)
    if officer.email:
        outbox.enqueue(
            channel="email",
            recipient=officer.email,
            subject=f"[{current_town().short_code}] {complaint.tracking_code}",
            body=_("ท่านได้รับมอบหมายเรื่อง %(code)s: %(text)s")
            % {"code": complaint.tracking_code, "text": complaint.description[:300]},
            key=f"oss:{complaint.pk}:assigned:{complaint._last_event.pk}:officer",
        )
    return complaint


@transaction.atomic
def start_work(*, complaint_id: int, by: User) -> Complaint:
    """The officer says work has begun (shown to the reporter)."""
    complaint = locked_complaint(complaint_id)
    if not may_work_on(by, complaint):
        raise PermissionDenied(_("เรื่องนี้ไม่ได้มอบหมายให้ท่าน (This case is not assigned to you)"))
    move(complaint, to=S.IN_PROGRESS, by=by, transitions=TRANSITIONS)
    complaint.save()
    notify_status_changed(complaint)
    return complaint
