"""Writes of e-Saraban: draft, approve, number and send letters; receive, register, present,
endorse and route them. One transaction per action; permissions are checked here so the web
pages, the API and the tasks obey the same rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from services.accounts.models import Department, User
from services.common import outbox
from services.common.buddhist_era import be_year
from services.common.files.actions import store_upload
from services.common.models import StoredFile
from services.common.numbering import next_number
from services.common.workflow import TransitionNotAllowed, move
from services.exchange import actions as exchange
from services.exchange.directory import current_agency_code, find_agency
from services.exchange.models import ExchangeMessage, MessageStatus

from .models import (
    ApprovalStep,
    Direction,
    Endorsement,
    Letter,
    LetterAttachment,
    LetterEvent,
    LetterKind,
    LetterRecipient,
    LetterStatus,
    RecipientStatus,
    Register,
    RegisterEntry,
    Routing,
    SarabanSettings,
    Secrecy,
    Urgency,
)
from .workflow import TRANSITIONS

ATTACHMENT_TYPES = ("application/pdf", "image/jpeg", "image/png")
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
LETTER_EXCHANGE_KIND = "letter"


def saraban_settings() -> SarabanSettings:
    """The town's e-Saraban settings row (created with defaults on first use)."""
    tenant = getattr(connection, "tenant", None)
    row, _created = SarabanSettings.objects.get_or_create(
        pk=1, defaults={"agency_name": getattr(tenant, "name_th", "") or ""}
    )
    return row


def _event(letter: Letter, action: str, by: User | None, note: str = "") -> LetterEvent:
    return LetterEvent.objects.create(letter=letter, action=action, by=by, note=note)


def _move(letter: Letter, to: str, by: User | None, note: str = "") -> None:
    old = letter.status
    move(letter, to=to, by=by, transitions=TRANSITIONS, note=note)
    letter.save()
    _event(letter, f"status:{old}->{to}", by, note)


def _locked(letter_id: int, direction: str, target: str) -> Letter:
    """Lock the letter row; a step meant for the other direction is refused like a wrong state."""
    letter = Letter.objects.select_for_update().filter(pk=letter_id).first()
    if letter is None:
        raise Http404
    if letter.direction != direction:
        raise TransitionNotAllowed(letter.get_status_display(), LetterStatus(target).label)
    return letter


def _require(user: User, permission: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied(_("คุณไม่มีสิทธิ์ทำรายการนี้ (You may not do this)"))


def _register(letter: Letter, register: str, by: User | None) -> RegisterEntry:
    """Take the next gapless number of `register` for this calendar year (ข้อ 43: runs per year)."""
    now = timezone.now()
    year = be_year(now)
    number = next_number(f"saraban.{register}", year)
    return RegisterEntry.objects.create(
        register=register, year=year, number=number, letter=letter, registered_at=now, registered_by=by
    )


def _validate_choices(**values: str) -> None:
    choices = {"kind": LetterKind, "urgency": Urgency, "secrecy": Secrecy}
    errors = {}
    for name, value in values.items():
        if value not in choices[name].values:
            errors[name] = _("ค่าไม่ถูกต้อง (Invalid value)")
    if errors:
        raise ValidationError(errors)


def _validate_lengths(**values: str) -> None:
    """Text longer than its column is a 400 with the field named, not a database error."""
    errors = {}
    for name, value in values.items():
        limit = Letter._meta.get_field(name).max_length
        if limit and len(value) > limit:
            errors[name] = _("ยาวเกิน %(limit)d ตัวอักษร (Longer than %(limit)d characters)") % {"limit": limit}
    if errors:
        raise ValidationError(errors)


def _attach(letter: Letter, uploads: Sequence[UploadedFile], *, role: str, by: User | None) -> None:
    for upload in uploads:
        stored = store_upload(
            upload, purpose="saraban", by=by, allowed_types=ATTACHMENT_TYPES, max_bytes=MAX_ATTACHMENT_BYTES
        )
        LetterAttachment.objects.create(letter=letter, file=stored, role=role)


# --- outgoing ----------------------------------------------------------------------------------------


@transaction.atomic
def draft_letter(
    *,
    by: User,
    subject: str,
    body: str,
    recipient_name: str,
    kind: str = LetterKind.EXTERNAL,
    urgency: str = Urgency.NORMAL,
    secrecy: str = Secrecy.NORMAL,
    salutation: str = "",
    reference_to: str = "",
    enclosures: str = "",
    closing: str = "ขอแสดงความนับถือ",
    is_circular: bool = False,
    signer_position: str = "",
    attachments: Sequence[UploadedFile] = (),
) -> Letter:
    """Start an outgoing letter as a draft."""
    _require(by, "correspondence.draft_letter")
    _validate_choices(kind=kind, urgency=urgency, secrecy=secrecy)
    errors = {}
    if not subject.strip():
        errors["subject"] = _("กรุณากรอกเรื่อง (Subject is required)")
    if not recipient_name.strip():
        errors["recipient_name"] = _("กรุณาระบุผู้รับ (Recipient is required)")
    if not body.strip():
        errors["body"] = _("กรุณากรอกข้อความ (Body is required)")
    if errors:
        raise ValidationError(errors)
    # เรียน defaults to the recipient; a recipient too long for it needs its own salutation.
    salutation = salutation.strip() or recipient_name.strip()
    _validate_lengths(
        subject=subject.strip(), recipient_name=recipient_name.strip(), salutation=salutation,
        reference_to=reference_to, enclosures=enclosures, closing=closing.strip(), signer_position=signer_position,
    )
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
        created_by=by,
        sender_name=config.agency_name,
        sender_code=current_agency_code(),
        retention_years=config.retention_years,
    )
    _attach(letter, attachments, role=LetterAttachment.Role.ENCLOSURE, by=by)
    _event(letter, "drafted", by)
    return letter


@transaction.atomic
def submit_for_approval(*, letter_id: int, by: User, approver_ids: Sequence[int]) -> Letter:
    """Send a draft up the approval chain; the last approver signs it."""
    letter = _locked(letter_id, Direction.OUTGOING, LetterStatus.PENDING_APPROVAL)
    if letter.created_by_id != by.pk and not by.has_perm("correspondence.send_letter"):
        raise PermissionDenied(_("ส่งพิจารณาได้เฉพาะผู้ร่างหรือเจ้าหน้าที่สารบรรณ (Only the drafter or a clerk)"))
    approvers = list(User.objects.filter(pk__in=approver_ids, kind=User.Kind.STAFF, is_active=True))
    by_id = {u.pk: u for u in approvers}
    if not approver_ids or len(by_id) != len(set(approver_ids)):
        raise ValidationError(
            {"approver_ids": _("กรุณาเลือกผู้พิจารณาอย่างน้อย 1 คน (Choose at least one approver)")}
        )
    last_round = letter.approval_steps.order_by("-round").values_list("round", flat=True).first() or 0
    _move(letter, LetterStatus.PENDING_APPROVAL, by)
    for position, user_id in enumerate(approver_ids, start=1):
        ApprovalStep.objects.create(
            letter=letter, round=last_round + 1, position=position, approver=by_id[user_id]
        )
    return letter


def current_approval_step(letter: Letter) -> ApprovalStep | None:
    return (
        letter.approval_steps.filter(decision=ApprovalStep.Decision.PENDING)
        .order_by("round", "position")
        .first()
    )


@transaction.atomic
def decide_approval(*, letter_id: int, by: User, approve: bool, comment: str = "") -> Letter:
    """The current approver agrees (the last one signs) or sends the draft back for changes."""
    letter = _locked(letter_id, Direction.OUTGOING, LetterStatus.APPROVED)
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
        _move(letter, LetterStatus.DRAFT, by, comment)
        return letter
    _event(letter, "approved", by, comment)
    if current_approval_step(letter) is None:
        letter.signer = by
        letter.signer_position = letter.signer_position or by.position
        _move(letter, LetterStatus.APPROVED, by, _("ลงนามแล้ว"))
    return letter


@transaction.atomic
def send_letter(
    *, letter_id: int, by: User, recipient_codes: Sequence[str] = (), paper_recipients: Sequence[str] = ()
) -> Letter:
    """Number a signed letter in the sending register, render its PDF and send it.

    Platform towns and outside agencies in the directory receive it through the exchange;
    top-secret letters are never sent electronically (regulation 2564 amendment) and go on paper.
    """
    from .pdf import render_letter_pdf
    from .signing import has_certificate, sign_pdf

    letter = _locked(letter_id, Direction.OUTGOING, LetterStatus.SENT)
    codes = list(dict.fromkeys(c.strip() for c in recipient_codes if c.strip()))
    paper = [p.strip() for p in paper_recipients if p.strip()]
    if not codes and not paper:
        raise ValidationError({"recipient_codes": _("กรุณาเลือกหน่วยงานผู้รับ (Choose at least one recipient)")})
    if codes and letter.secrecy == Secrecy.TOP_SECRET:
        raise ValidationError(
            {
                "recipient_codes": _(
                    "หนังสือลับที่สุดห้ามส่งทางอิเล็กทรอนิกส์ ให้ส่งเป็นเอกสาร "
                    "(Top-secret letters are never sent electronically)"
                )
            }
        )
    agencies = []
    for code in codes:
        agency = find_agency(code)
        if agency is None:
            raise ValidationError(
                {"recipient_codes": _("ไม่พบหน่วยงานรหัส %(c)s (Unknown agency)") % {"c": code}}
            )
        agencies.append(agency)
    config = saraban_settings()
    if not config.letter_prefix:
        raise ValidationError(_("ยังไม่ได้ตั้งรหัสหน่วยงานสำหรับเลขที่หนังสือ (Set the letter prefix first)"))
    _move(letter, LetterStatus.SENT, by)
    entry = _register(letter, Register.SENDING, by)
    if letter.is_circular:
        # Circulars carry "ว" and run their own series (domain-sources §5.3).
        letter.letter_number = f"ที่ {config.letter_prefix}/ว {next_number('saraban.circular', entry.year)}"
    else:
        letter.letter_number = f"ที่ {config.letter_prefix}/{entry.number}"
    letter.letter_date = timezone.localdate()
    letter.sender_code = letter.sender_code or current_agency_code()
    letter.sender_name = letter.sender_name or config.agency_name
    letter.save()
    pdf_bytes = sign_pdf(
        render_letter_pdf(letter),
        config=config,
        reason=f"หนังสือ{letter.letter_number}",
        name=letter.signer.display_name if letter.signer else config.agency_name,
    )
    if has_certificate(config):
        _event(letter, "digitally_signed", by, config.signing_subject)
    stored = _store_bytes(
        pdf_bytes, name=f"letter-{entry.year}-{entry.number}.pdf", content_type="application/pdf", by=by
    )
    LetterAttachment.objects.create(letter=letter, file=stored, role=LetterAttachment.Role.RENDERED)
    files = [
        exchange.Attachment(name=stored.original_name, content_type="application/pdf", content=pdf_bytes)
    ]
    for item in letter.attachments.filter(role=LetterAttachment.Role.ENCLOSURE).select_related("file"):
        with item.file.file.open("rb") as handle:
            files.append(exchange.Attachment(item.file.original_name, item.file.content_type, handle.read()))
    payload = letter_payload(letter)
    for agency in agencies:
        message = exchange.send(
            kind=LETTER_EXCHANGE_KIND,
            sender_code=letter.sender_code,
            recipient_code=agency.code,
            payload=payload,
            attachments=files,
        )
        LetterRecipient.objects.create(
            letter=letter,
            agency_code=agency.code,
            agency_name=agency.name_th,
            exchange_message_id=message.public_id,
        )
    for name in paper:
        LetterRecipient.objects.create(letter=letter, agency_name=name, status=RecipientStatus.PAPER)
    _event(letter, "sent", by, letter.letter_number)
    return letter


def letter_payload(letter: Letter) -> dict:
    return {
        "letter_number": letter.letter_number,
        "letter_date": letter.letter_date.isoformat(),
        "subject": letter.subject,
        "kind": letter.kind,
        "urgency": letter.urgency,
        "secrecy": letter.secrecy,
        "salutation": letter.salutation,
        "recipient_name": letter.recipient_name,
        "sender_name": letter.sender_name,
        "reference_to": letter.reference_to,
        "enclosures": letter.enclosures,
        "body": letter.body,
    }


def _store_bytes(content: bytes, *, name: str, content_type: str, by: User | None) -> StoredFile:
    upload = ContentFile(content, name=name)
    upload.content_type = content_type  # type: ignore[attr-defined]
    return store_upload(
        upload,
        purpose="saraban",
        by=by,
        allowed_types=ATTACHMENT_TYPES,  # type: ignore[arg-type]
        max_bytes=MAX_ATTACHMENT_BYTES * 2,
    )


# --- incoming ----------------------------------------------------------------------------------------


def receive_from_exchange(message: ExchangeMessage) -> str:
    """Exchange handler (runs in the recipient town's schema, inside the delivery transaction):
    put the letter in the incoming queue, once per message."""
    if Letter.objects.filter(exchange_message_id=message.public_id).exists():
        return ""
    data = message.payload
    sender = find_agency(message.sender_code)
    config = saraban_settings()
    letter_date = None
    if data.get("letter_date"):
        letter_date = dt.date.fromisoformat(str(data["letter_date"])[:10])
    letter = Letter.objects.create(
        direction=Direction.INCOMING,
        status=LetterStatus.RECEIVED,
        exchange_message_id=message.public_id,
        kind=data.get("kind") if data.get("kind") in LetterKind.values else LetterKind.EXTERNAL,
        urgency=data.get("urgency") if data.get("urgency") in Urgency.values else Urgency.NORMAL,
        secrecy=data.get("secrecy") if data.get("secrecy") in Secrecy.values else Secrecy.NORMAL,
        letter_number=str(data.get("letter_number", ""))[:100],
        letter_date=letter_date,
        subject=str(data.get("subject", ""))[:500],
        salutation=str(data.get("salutation", ""))[:255],
        recipient_name=str(data.get("recipient_name", ""))[:500],
        reference_to=str(data.get("reference_to", ""))[:500],
        enclosures=str(data.get("enclosures", ""))[:500],
        body=str(data.get("body", "")),
        sender_name=(sender.name_th if sender else str(data.get("sender_name", "")))[:255],
        sender_code=message.sender_code,
        retention_years=config.retention_years,
    )
    for item in message.attachments.all():
        upload = ContentFile(bytes(item.content), name=item.name)
        upload.content_type = item.content_type  # type: ignore[attr-defined]
        stored = store_upload(
            upload,
            purpose="saraban",
            allowed_types=ATTACHMENT_TYPES,  # type: ignore[arg-type]
            max_bytes=MAX_ATTACHMENT_BYTES * 2,
        )
        LetterAttachment.objects.create(letter=letter, file=stored, role=LetterAttachment.Role.SCAN)
    _event(letter, "received_from_exchange", None, message.sender_code)
    if config.auto_register_exchange:
        entry = _register(letter, Register.RECEIVING, None)
        letter.status = LetterStatus.REGISTERED
        letter.save(update_fields=["status", "updated_at"])
        _event(letter, "registered", None, entry.display_number)
        exchange.acknowledge(
            message=message, status=MessageStatus.REGISTERED, reference=_ack_reference(entry)
        )
        return _ack_reference(entry)
    return ""


def _ack_reference(entry: RegisterEntry) -> str:
    return f"เลขรับ {entry.display_number}"


def acknowledgement_arrived(message: ExchangeMessage) -> None:
    """Exchange handler (runs in the sender town's schema): the recipient registered or returned."""
    recipient = (
        LetterRecipient.objects.select_for_update().filter(exchange_message_id=message.public_id).first()
    )
    if recipient is None:
        return
    recipient.status = message.status
    recipient.their_reference = message.recipient_reference
    recipient.note = message.acknowledgement_note
    recipient.save()
    _event(
        recipient.letter,
        f"acknowledged:{message.status}",
        None,
        f"{recipient.agency_name} {message.recipient_reference} {message.acknowledgement_note}".strip(),
    )


def delivery_progress(letter: Letter) -> None:
    """Copy delivered/failed from the exchange queue onto the letter's recipients (read-time refresh)."""
    pending = letter.recipients.filter(status=RecipientStatus.QUEUED, exchange_message_id__isnull=False)
    for recipient in pending:
        status = (
            ExchangeMessage.objects.filter(public_id=recipient.exchange_message_id)
            .values_list("status", flat=True)
            .first()
        )
        if status in (MessageStatus.DELIVERED, MessageStatus.FAILED):
            LetterRecipient.objects.filter(pk=recipient.pk, status=RecipientStatus.QUEUED).update(
                status=status
            )


@transaction.atomic
def register_received(*, letter_id: int, by: User, action_note: str = "") -> RegisterEntry:
    """ลงทะเบียนรับ: give a letter from the exchange its receiving number and tell the sender."""
    letter = _locked(letter_id, Direction.INCOMING, LetterStatus.REGISTERED)
    _move(letter, LetterStatus.REGISTERED, by)
    entry = _register(letter, Register.RECEIVING, by)
    if action_note:
        letter.action_note = action_note
        letter.save(update_fields=["action_note", "updated_at"])
    _event(letter, "registered", by, entry.display_number)
    if letter.exchange_message_id:
        message = ExchangeMessage.objects.get(public_id=letter.exchange_message_id)
        exchange.acknowledge(
            message=message, status=MessageStatus.REGISTERED, reference=_ack_reference(entry)
        )
    return entry


@transaction.atomic
def return_received(*, letter_id: int, by: User, reason: str) -> Letter:
    """ส่งคืน: refuse a letter from the exchange (wrong addressee, incomplete) and tell the sender why."""
    if not reason.strip():
        raise ValidationError({"reason": _("กรุณาระบุเหตุผลที่ส่งคืน (Give the reason)")})
    letter = _locked(letter_id, Direction.INCOMING, LetterStatus.RETURNED)
    _move(letter, LetterStatus.RETURNED, by, reason)
    if letter.exchange_message_id:
        message = ExchangeMessage.objects.get(public_id=letter.exchange_message_id)
        exchange.acknowledge(message=message, status=MessageStatus.RETURNED, note=reason.strip())
    return letter


@transaction.atomic
def register_paper_letter(
    *,
    by: User,
    subject: str,
    sender_name: str,
    letter_number: str,
    letter_date: dt.date | None,
    scans: Sequence[UploadedFile],
    recipient_name: str = "",
    kind: str = LetterKind.EXTERNAL,
    urgency: str = Urgency.NORMAL,
    secrecy: str = Secrecy.NORMAL,
    notes: str = "",
    action_note: str = "",
) -> Letter:
    """ลงทะเบียนรับหนังสือกระดาษ: a letter that came by post or by hand, with its scan."""
    _require(by, "correspondence.register_letter")
    _validate_choices(kind=kind, urgency=urgency, secrecy=secrecy)
    errors = {}
    if not subject.strip():
        errors["subject"] = _("กรุณากรอกเรื่อง (Subject is required)")
    if not sender_name.strip():
        errors["sender_name"] = _("กรุณาระบุผู้ส่ง (Sender is required)")
    if not letter_number.strip():
        errors["letter_number"] = _("กรุณากรอกเลขที่หนังสือ (Letter number is required)")
    if letter_date is None:
        errors["letter_date"] = _("กรุณากรอกวันที่ของหนังสือ (Letter date is required)")
    if not scans:
        errors["scans"] = _("กรุณาแนบไฟล์สแกนหนังสือ PDF หรือ JPEG (Attach the scan)")
    if errors:
        raise ValidationError(errors)
    _validate_lengths(
        subject=subject.strip(), sender_name=sender_name.strip(), letter_number=letter_number.strip(),
        recipient_name=recipient_name.strip(),
    )
    config = saraban_settings()
    letter = Letter.objects.create(
        direction=Direction.INCOMING,
        status=LetterStatus.REGISTERED,
        kind=kind,
        urgency=urgency,
        secrecy=secrecy,
        subject=subject.strip(),
        sender_name=sender_name.strip(),
        letter_number=letter_number.strip(),
        letter_date=letter_date,
        recipient_name=recipient_name.strip() or config.agency_name,
        notes=notes,
        action_note=action_note,
        created_by=by,
        retention_years=config.retention_years,
    )
    _attach(letter, scans, role=LetterAttachment.Role.SCAN, by=by)
    entry = _register(letter, Register.RECEIVING, by)
    _event(letter, "registered", by, entry.display_number)
    return letter


# --- routing inside the town -------------------------------------------------------------------------


@transaction.atomic
def present_letter(*, letter_id: int, by: User, to: User, note: str = "") -> Routing:
    """เสนอ: the clerk presents a registered letter to an executive."""
    letter = _locked(letter_id, Direction.INCOMING, LetterStatus.PRESENTED)
    if not to.has_perm("correspondence.endorse_letter"):
        raise ValidationError({"to": _("ผู้รับต้องเป็นผู้บริหาร (Present to an executive)")})
    _move(letter, LetterStatus.PRESENTED, by, note)
    letter.presented_to = to
    letter.save(update_fields=["presented_to", "updated_at"])
    return Routing.objects.create(letter=letter, sent_by=by, to_user=to, note=note)


def _route(
    letter: Letter,
    *,
    by: User,
    endorsement: Endorsement | None,
    to_users: Sequence[User],
    to_departments: Sequence[Department],
    note: str,
) -> list[Routing]:
    if not to_users and not to_departments:
        raise ValidationError({"to": _("กรุณาเลือกผู้รับอย่างน้อย 1 ราย (Choose at least one addressee)")})
    if letter.is_secret and to_departments:
        raise ValidationError(
            {"to": _("หนังสือลับต้องส่งถึงตัวบุคคลเท่านั้น (A secret letter goes to named people only)")}
        )
    routings = [
        Routing.objects.create(letter=letter, endorsement=endorsement, sent_by=by, to_user=u, note=note)
        for u in to_users
    ]
    routings += [
        Routing.objects.create(letter=letter, endorsement=endorsement, sent_by=by, to_department=d, note=note)
        for d in to_departments
    ]
    names = ", ".join([u.display_name for u in to_users] + [d.name_th for d in to_departments])
    _event(letter, "routed", by, names)
    for routing in routings:
        _notify_routing(routing)
    return routings


def _notify_routing(routing: Routing) -> None:
    """E-mail the addressee (or the department head) through the outbox, sent after commit."""
    person = routing.to_user or (routing.to_department.head if routing.to_department else None)
    if person is None or not person.email:
        return
    letter = routing.letter
    # A secret letter's subject never leaves the system.
    subject = _("มีหนังสือชั้นความลับส่งถึงท่าน") if letter.is_secret else letter.subject
    urgency = "" if letter.urgency == Urgency.NORMAL else f"[{letter.get_urgency_display()}] "
    body = _(
        "มีหนังสือส่งถึงท่านในระบบสารบรรณ: %(s)s\nโปรดเข้าสู่ระบบเพื่อรับทราบและดำเนินการ: /saraban/letters/%(id)s/"
    ) % {
        "s": subject,
        "id": letter.pk,
    }
    outbox.enqueue(
        channel="email",
        recipient=person.email,
        subject=f"{urgency}{subject}",
        body=body,
        key=f"saraban-routing-{routing.pk}",
    )


@transaction.atomic
def endorse_letter(
    *,
    letter_id: int,
    by: User,
    order_text: str,
    to_users: Sequence[User] = (),
    to_departments: Sequence[Department] = (),
) -> Endorsement:
    """เกษียณหนังสือ: the executive writes an order and routes the letter to people or departments."""
    _require(by, "correspondence.endorse_letter")
    if not order_text.strip():
        raise ValidationError({"order_text": _("กรุณาเขียนข้อความสั่งการ (Write the order)")})
    letter = _locked(letter_id, Direction.INCOMING, LetterStatus.ENDORSED)
    _move(letter, LetterStatus.ENDORSED, by, order_text)
    endorsement = Endorsement.objects.create(letter=letter, by=by, order_text=order_text.strip())
    Routing.objects.filter(letter=letter, to_user=by, acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now(),
        acknowledged_by=by,
        done_at=timezone.now(),
        action_taken=order_text.strip(),
    )
    _route(
        letter,
        by=by,
        endorsement=endorsement,
        to_users=to_users,
        to_departments=to_departments,
        note=order_text,
    )
    return endorsement


@transaction.atomic
def circulate_letter(
    *,
    letter_id: int,
    by: User,
    to_users: Sequence[User] = (),
    to_departments: Sequence[Department] = (),
    note: str = "",
) -> list[Routing]:
    """เวียนหนังสือ: the clerk sends a registered letter to many people or departments at once."""
    _require(by, "correspondence.register_letter")
    letter = Letter.objects.select_for_update().get(pk=letter_id)
    if letter.status not in (LetterStatus.REGISTERED, LetterStatus.ENDORSED, LetterStatus.PRESENTED):
        raise ValidationError(_("เวียนได้เฉพาะหนังสือที่ลงทะเบียนแล้ว (Register the letter first)"))
    return _route(
        letter, by=by, endorsement=None, to_users=to_users, to_departments=to_departments, note=note
    )


def _is_addressee(routing: Routing, user: User) -> bool:
    if routing.to_user_id is not None:
        return routing.to_user_id == user.pk
    return routing.to_department_id is not None and routing.to_department_id == user.department_id


@transaction.atomic
def acknowledge_routing(*, routing_id: int, by: User, action_taken: str = "", done: bool = False) -> Routing:
    """รับทราบ / ดำเนินการแล้ว: the addressee (or a member of the addressed department) answers."""
    routing = Routing.objects.select_for_update().select_related("letter").get(pk=routing_id)
    if not _is_addressee(routing, by):
        raise PermissionDenied(_("หนังสือนี้ไม่ได้ส่งถึงคุณ (This was not routed to you)"))
    now = timezone.now()
    if routing.acknowledged_at is None:
        routing.acknowledged_at, routing.acknowledged_by = now, by
        _event(routing.letter, "acknowledged", by)
    if action_taken:
        routing.action_taken = action_taken
    if done and routing.done_at is None:
        routing.done_at = now
        _event(routing.letter, "action_done", by, action_taken)
    routing.save()
    return routing


@transaction.atomic
def close_letter(*, letter_id: int, by: User, note: str = "") -> Letter:
    """Mark an incoming letter's business finished (เรื่องเสร็จ), which starts its retention period."""
    letter = _locked(letter_id, Direction.INCOMING, LetterStatus.CLOSED)
    if letter.status == LetterStatus.ENDORSED:
        _require(by, "correspondence.register_letter")
    _move(letter, LetterStatus.CLOSED, by, note)
    return letter


# --- retention -----------------------------------------------------------------------------------


@transaction.atomic
def record_destruction(*, letter_ids: Sequence[int], by: User, committee_note: str) -> int:
    """Record letters destroyed under a committee-approved destruction list (ข้อ 66–70)."""
    from .selectors import destruction_candidates

    _require(by, "correspondence.manage_saraban")
    if not committee_note.strip():
        raise ValidationError(
            {"committee_note": _("กรุณาระบุคำสั่ง/มติคณะกรรมการทำลายหนังสือ (Committee decision required)")}
        )
    allowed = set(destruction_candidates().filter(pk__in=letter_ids).values_list("pk", flat=True))
    if allowed != set(letter_ids):
        raise ValidationError(_("บางรายการยังไม่ครบอายุการเก็บ (Some letters are not yet due)"))
    now = timezone.now()
    for letter in Letter.objects.select_for_update().filter(pk__in=allowed):
        letter.destroyed_at = now
        letter.save(update_fields=["destroyed_at", "updated_at"])
        _event(letter, "destroyed", by, committee_note)
    return len(allowed)
