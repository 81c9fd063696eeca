"""The applicant's side: documents, the checklist, submitting (and resubmitting after a return), withdrawing."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from services.common import numbering
from services.common.buddhist_era import be_year
from services.common.workflow import move
from tenants.current import current_town

from .. import notifications
from ..models import (
    Case,
    CaseDocument,
    CaseEvent,
    CaseStatus,
    Deficiency,
    DocumentRequirement,
)
from ..registry import case_type_for
from .common import (
    ACCEPTED_UPLOAD_TYPES,
    checked_store,
    due_after,
    lock_case,
    record_event,
    require_applicant,
    settings_for,
    today,
)


@transaction.atomic
def attach_document(*, case_id: int, requirement_id: int | None, upload: UploadedFile, by) -> CaseDocument:
    """The applicant uploads one checklist document (PDF or JPEG, size-limited); an earlier upload
    for the same line is kept on record as superseded."""
    case = lock_case(case_id)
    require_applicant(case, by)
    if case.status not in (CaseStatus.DRAFT, CaseStatus.RETURNED):
        raise ValidationError(
            _(
                "แนบเอกสารได้เฉพาะคำขอที่ยังไม่ยื่นหรือถูกส่งกลับให้แก้ไข "
                "(Documents can be added only to drafts or returned applications)"
            )
        )
    requirement = None
    if requirement_id is not None:
        requirement = DocumentRequirement.objects.filter(pk=requirement_id, kind=case.kind, is_active=True).first()
        if requirement is None:
            raise ValidationError(_("ไม่พบรายการเอกสารนี้ (Unknown checklist item)"))
    stored = checked_store(
        upload,
        purpose=f"case-{case.kind}",
        by=by,
        allowed=ACCEPTED_UPLOAD_TYPES,
        max_mb=settings_for(case.kind).max_upload_mb,
    )
    if requirement is not None:
        case.documents.filter(requirement=requirement, is_superseded=False).update(is_superseded=True)
    document = CaseDocument.objects.create(case=case, requirement=requirement, file=stored, uploaded_by=by)
    if case.status == CaseStatus.RETURNED:
        record_event(
            case,
            CaseEvent.Kind.DOCUMENT,
            _("ผู้ยื่นแนบเอกสารเพิ่มเติม: %(name)s") % {"name": requirement or stored.original_name},
            by=by,
        )
    return document


def missing_requirements(case: Case) -> list[DocumentRequirement]:
    case_type = case_type_for(case.kind)
    have = set(
        case.documents.filter(is_superseded=False, requirement__isnull=False).values_list("requirement_id", flat=True)
    )
    return [
        requirement
        for requirement in DocumentRequirement.objects.filter(kind=case.kind, is_active=True, is_required=True)
        if requirement.pk not in have and case_type.requirement_applies(case, requirement)
    ]


@transaction.atomic
def submit_case(*, case_id: int, by, reply: str = "") -> Case:
    """The applicant files the application (or files it again after fixing what was asked)."""
    case = lock_case(case_id)
    require_applicant(case, by)
    case_type = case_type_for(case.kind)
    missing = missing_requirements(case)
    if missing:
        raise ValidationError(
            _("ยังขาดเอกสาร: %(list)s (Required documents are missing)")
            % {"list": ", ".join(m.title_th for m in missing)},
            code="documents_missing",
        )
    resubmission = case.status == CaseStatus.RETURNED
    move(
        case,
        to=CaseStatus.SUBMITTED,
        by=by,
        transitions=case_type.transitions,
        note=_("ยื่นแก้ไขแล้ว") if resubmission else _("ยื่นคำขอ"),
    )
    now = timezone.now()
    if not case.tracking_code:
        year = be_year(now)
        number = numbering.next_number(f"case:{case.kind}", year)
        town_code = getattr(current_town(), "short_code", "") or "TWN"
        case.tracking_code = f"{town_code}-{case_type.tracking_prefix}-{year}-{number:06d}"
    case.submitted_at = case.submitted_at or now
    case.applicant_due_date = None
    if case_type.clock_starts_on == "submitted":
        # The official's clock runs from each receipt of the notification (e.g. Public Health Act s.48).
        case.due_date = due_after(today(), case_type.review_days, case_type.review_rule)
        case.due_rule = case_type.review_rule
        case.escalation_level = 0
    case.save()
    if resubmission:
        Deficiency.objects.filter(case=case, resolved_at__isnull=True).update(resolved_at=now, applicant_reply=reply)
    if case_type.intake_roles:
        notifications.notify_staff(
            notifications.staff_with_role(*case_type.intake_roles),
            subject=_("%(kind)s เข้าใหม่: %(code)s") % {"kind": case_type.label_th, "code": case.tracking_code},
            body=_("%(title)s — %(state)s")
            % {"title": case.title, "state": _("ยื่นแก้ไขแล้ว") if resubmission else _("ยื่นใหม่")},
            key=f"intake:{case.pk}:{case.events.count()}",
        )
    notifications.notify_applicant(
        case,
        subject=_("ได้รับ%(kind)sแล้ว") % {"kind": case_type.label_th},
        body=_("เทศบาล/อบต. ได้รับ%(kind)sของท่านแล้ว ติดตามสถานะได้ที่เมนู “คำขอของฉัน”") % {"kind": case_type.label_th},
        key=f"submitted:{case.events.count()}",
    )
    return case


@transaction.atomic
def withdraw_case(*, case_id: int, by, reason: str = "") -> Case:
    """The applicant withdraws an application that has not been decided."""
    case = lock_case(case_id)
    require_applicant(case, by)
    move(case, to=CaseStatus.WITHDRAWN, by=by, transitions=case_type_for(case.kind).transitions, note=reason)
    case.due_date = None
    case.save()
    return case
