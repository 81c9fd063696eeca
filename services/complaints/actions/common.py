"""What every complaint action needs: the locked row, the permission checks, clean text, the town's working calendar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from services.accounts.models import Department, User
from services.common.files.actions import store_upload

from .. import photos
from ..models import (
    DESCRIPTION_MAX,
    Complaint,
    ComplaintEvent,
    ComplaintPhoto,
)
from ..sla import BANGKOK, WorkingCalendar
from ..workflow import ASSIGN, ComplaintStatus

S = ComplaintStatus


def working_calendar(*moments: dt.datetime) -> WorkingCalendar:
    return WorkingCalendar.for_town(years={m.astimezone(BANGKOK).year for m in moments if m})


def locked_complaint(complaint_id: int) -> Complaint:
    return (
        Complaint.objects.select_for_update(of=("self",)).select_related("category", "department").get(pk=complaint_id)
    )


def require_permission(user: User, permission: str) -> None:
    if user is None or not user.is_authenticated or not user.has_perm(permission):
        raise PermissionDenied(_("คุณไม่มีสิทธิ์ทำรายการนี้ (You may not do this)"))


def is_head_of(user: User, department: Department | None) -> bool:
    if department is None:
        return False
    return department.head_id == user.pk or (user.department_id == department.pk and user.has_perm(ASSIGN))


def may_work_on(user: User, complaint: Complaint) -> bool:
    if complaint.assigned_to_id == user.pk or is_head_of(user, complaint.department):
        return True
    return user.has_perm("complaints.view_all_complaints") and user.has_perm(ASSIGN)


def clean_text(
    value: str, *, name: str, required: bool = True, max_length: int = DESCRIPTION_MAX, min_length: int = 1
) -> str:
    text = (value or "").strip()
    if required and len(text) < min_length:
        raise ValidationError({name: _("กรุณากรอกข้อมูลนี้ (This field is required)")}, code="required")
    if len(text) > max_length:
        raise ValidationError(
            {name: _("ยาวเกิน %(n)s ตัวอักษร (Longer than %(n)s characters)") % {"n": max_length}},
            code="max_length",
        )
    return text


def store_photos(
    complaint: Complaint,
    cleaned: Sequence[photos.CleanPhoto],
    *,
    kind: str,
    by,
    event: ComplaintEvent | None = None,
) -> None:
    for photo in cleaned:
        stored = store_upload(
            photo.upload,
            purpose="complaints",
            by=by,
            public=False,
            allowed_types=("image/jpeg",),
            max_bytes=photos.MAX_UPLOAD_BYTES,
        )
        ComplaintPhoto.objects.create(
            complaint=complaint,
            event=event,
            file=stored,
            kind=kind,
            width=photo.width,
            height=photo.height,
            latitude=photo.latitude,
            longitude=photo.longitude,
            taken_at=photo.taken_at,
        )
