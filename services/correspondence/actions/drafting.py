"""Outgoing letters before they are sent: draft, submit up the approval chain, decide."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from services.accounts.models import User
from services.exchange.directory import current_agency_code

from ..models import (
    ADDRESSED_FORMS,
    FORMS_OF_KIND,
    KIND_OF_FORM,
    ApprovalStep,
    Direction,
    DocumentForm,
    Letter,
    LetterAttachment,
    LetterKind,
    LetterStatus,
    Secrecy,
    Urgency,
)
from ..town_settings import saraban_settings
from .common import (
    attach_uploads,
    locked_letter,
    move_letter,
    record_event,
    require_permission,
    validate_choices,
    validate_lengths,
)

MEETING_FIELDS = (
    "committee", "meeting_place", "meeting_started", "meeting_ended",
    "present", "absent", "attending", "minutes_taker",
)


@transaction.atomic
def draft_letter(
    *,
    by: User,
    subject: str,
    body: str,
    recipient_name: str = "",
    kind: str = LetterKind.EXTERNAL,
    urgency: str = Urgency.NORMAL,
    secrecy: str = Secrecy.NORMAL,
    salutation: str = "",
    reference_to: str = "",
    enclosures: str = "",
    closing: str = "ขอแสดงความนับถือ",
    is_circular: bool = False,
    signer_position: str = "",
    form: str = "",
    edition: int | None = None,
    effective_from: dt.date | None = None,
    attachments: Sequence[UploadedFile] = (),
    **meeting: str,
) -> Letter:
    """Start an outgoing document as a draft, on the regulation's form for its kind.

    `form` picks the form within the kind (an order, regulation or by-law for a directive; an
    announcement, statement or news for publicity; a certificate, minutes or note for an official's
    document) and defaults to the kind's first; `meeting` takes the minutes' fields (committee,
    meeting_place, meeting_started, meeting_ended, present, absent, attending, minutes_taker).
    """
    require_permission(by, "correspondence.draft_letter")
    validate_choices(kind=kind, urgency=urgency, secrecy=secrecy)
    form = form or FORMS_OF_KIND[LetterKind(kind)][0]
    unknown = set(meeting) - set(MEETING_FIELDS)
    if unknown:
        raise TypeError(f"draft_letter() got unexpected arguments {sorted(unknown)}")
    meeting = {name: str(meeting.get(name, "")).strip() for name in MEETING_FIELDS}
    errors = {}
    if form not in DocumentForm.values or KIND_OF_FORM[DocumentForm(form)] != kind:
        errors["form"] = _("แบบหนังสือไม่ตรงกับชนิดหนังสือ (This form does not belong to that kind)")
    if not subject.strip():
        errors["subject"] = _("กรุณากรอกเรื่อง (Subject is required)")
    if form in ADDRESSED_FORMS and not recipient_name.strip():
        errors["recipient_name"] = _("กรุณาระบุผู้รับ (Recipient is required)")
    if form == DocumentForm.MINUTES and not meeting["committee"]:
        errors["committee"] = _("กรุณาระบุชื่อคณะที่ประชุม (Name the committee)")
    if not body.strip():
        errors["body"] = _("กรุณากรอกข้อความ (Body is required)")
    if edition is not None and not 1 <= edition <= 999:
        errors["edition"] = _("ฉบับที่ต้องอยู่ระหว่าง 1 ถึง 999 (Edition must be 1-999)")
    if errors:
        raise ValidationError(errors)
    # เรียน defaults to the recipient; a recipient too long for it needs its own salutation.
    salutation = salutation.strip() or recipient_name.strip()
    if form not in ADDRESSED_FORMS:
        salutation = salutation if recipient_name.strip() else ""
    validate_lengths(
        subject=subject.strip(), recipient_name=recipient_name.strip(), salutation=salutation,
        reference_to=reference_to, enclosures=enclosures, closing=closing.strip(), signer_position=signer_position,
        **{name: value for name, value in meeting.items() if name not in ("present", "absent", "attending")},
    )
    if form != DocumentForm.LETTER:
        closing = ""  # only the external letter's form (แบบที่ 1) has a closing (คำลงท้าย)
    config = saraban_settings()
    letter = Letter.objects.create(
        direction=Direction.OUTGOING,
        status=LetterStatus.DRAFT,
        kind=kind,
        urgency=urgency,
        secrecy=secrecy,
        subject=subject.strip(),
        body=body.strip(),
        recipient_name=recipient_name.strip(),
        salutation=salutation,
        reference_to=reference_to,
        enclosures=enclosures,
        is_circular=is_circular,
        closing=closing.strip(),
        signer_position=signer_position,
        form=form,
        edition=edition,
        effective_from=effective_from,
        **meeting,
        created_by=by,
        sender_name=config.agency_name,
        sender_code=current_agency_code(),
        retention_years=config.retention_years,
    )
    attach_uploads(letter, attachments, role=LetterAttachment.Role.ENCLOSURE, by=by)
    record_event(letter, "drafted", by)
    return letter


@transaction.atomic
def submit_for_approval(*, letter_id: int, by: User, approver_ids: Sequence[int]) -> Letter:
    """Send a draft up the approval chain; the last approver signs it."""
    letter = locked_letter(letter_id, Direction.OUTGOING, LetterStatus.PENDING_APPROVAL)
    if letter.created_by_id != by.pk and not by.has_perm("correspondence.send_letter"):
        raise PermissionDenied(_("ส่งพิจารณาได้เฉพาะผู้ร่างหรือเจ้าหน้าที่สารบรรณ (Only the drafter or a clerk)"))
    approvers = list(User.objects.filter(pk__in=approver_ids, kind=User.Kind.STAFF, is_active=True))
    by_id = {u.pk: u for u in approvers}
    if not approver_ids or len(by_id) != len(set(approver_ids)):
        raise ValidationError(
            {"approver_ids": _("กรุณาเลือกผู้พิจารณาอย่างน้อย 1 คน (Choose at least one approver)")}
        )
    last_round = letter.approval_steps.order_by("-round").values_list("round", flat=True).first() or 0
    move_letter(letter, LetterStatus.PENDING_APPROVAL, by)
    for position, user_id in enumerate(approver_ids, start=1):
        ApprovalStep.objects.create(
            letter=letter, round=last_round + 1, position=position, approver=by_id[user_id]
        )
    return letter


def current_approval_step(letter: Letter) -> ApprovalStep | None:
    """The approver whose turn it is, if the letter is waiting on one."""
    return (
        letter.approval_steps.filter(decision=ApprovalStep.Decision.PENDING)
        .order_by("round", "position")
        .first()
    )


@transaction.atomic
def decide_approval(*, letter_id: int, by: User, approve: bool, comment: str = "") -> Letter:
    """The current approver agrees (the last one signs) or sends the draft back for changes."""
    letter = locked_letter(letter_id, Direction.OUTGOING, LetterStatus.APPROVED)
    step = current_approval_step(letter)
    if letter.status != LetterStatus.PENDING_APPROVAL or step is None:
        raise ValidationError(_("หนังสือนี้ไม่ได้รอการพิจารณา (This letter is not awaiting approval)"))
    if step.approver_id != by.pk:
        raise PermissionDenied(_("ยังไม่ถึงขั้นของคุณ หรือคุณไม่ใช่ผู้พิจารณา (You are not the current approver)"))
    step.decision = ApprovalStep.Decision.APPROVED if approve else ApprovalStep.Decision.REJECTED
    step.comment = comment
    step.decided_at = timezone.now()
    step.save()
    if not approve:
        letter.approval_steps.filter(decision=ApprovalStep.Decision.PENDING).delete()
        move_letter(letter, LetterStatus.DRAFT, by, comment)
        return letter
    record_event(letter, "approved", by, comment)
    if current_approval_step(letter) is None:
        letter.signer = by
        letter.signer_position = letter.signer_position or by.position
        move_letter(letter, LetterStatus.APPROVED, by, _("ลงนามแล้ว"))
    return letter
