"""Incoming letters: from the exchange (queue, register, return, acknowledgements) and on paper."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from services.accounts.models import User
from services.common.workflow import SYSTEM, bulk_move, move
from services.exchange import actions as exchange
from services.exchange.directory import find_agency
from services.exchange.models import ExchangeMessage, MessageStatus

from ..models import (
    FORMS_OF_KIND,
    Direction,
    Letter,
    LetterAttachment,
    LetterKind,
    LetterRecipient,
    LetterStatus,
    RecipientStatus,
    Register,
    RegisterEntry,
    Secrecy,
    Urgency,
)
from ..town_settings import saraban_settings
from ..workflow import AUTO_REGISTER, RECIPIENT_TRANSITIONS
from .common import (
    attach_uploads,
    locked_letter,
    move_letter,
    record_event,
    require_permission,
    store_bytes,
    take_register_number,
    validate_choices,
    validate_lengths,
)


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
    kind = data.get("kind") if data.get("kind") in LetterKind.values else LetterKind.EXTERNAL
    form = data.get("form") if data.get("form") in FORMS_OF_KIND[LetterKind(kind)] else FORMS_OF_KIND[LetterKind(kind)][0]
    letter = Letter.objects.create(
        direction=Direction.INCOMING,
        status=LetterStatus.RECEIVED,
        exchange_message_id=message.public_id,
        kind=kind,
        form=form,
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
        stored = store_bytes(bytes(item.content), name=item.name, content_type=item.content_type, by=None)
        LetterAttachment.objects.create(letter=letter, file=stored, role=LetterAttachment.Role.SCAN)
    record_event(letter, "received_from_exchange", None, message.sender_code)
    if config.auto_register_exchange:
        entry = take_register_number(letter, Register.RECEIVING, None)
        move(letter, to=LetterStatus.REGISTERED, by=SYSTEM, transitions=AUTO_REGISTER)
        letter.save(update_fields=["status", "updated_at"])
        record_event(letter, "registered", None, entry.display_number)
        exchange.acknowledge(
            message=message, status=MessageStatus.REGISTERED, reference=ack_reference(entry)
        )
        return ack_reference(entry)
    return ""


def ack_reference(entry: RegisterEntry) -> str:
    """What the sender is told when its letter is registered here."""
    return f"เลขรับ {entry.display_number}"


def acknowledgement_arrived(message: ExchangeMessage) -> None:
    """Exchange handler (runs in the sender town's schema): the recipient registered or returned."""
    recipient = (
        LetterRecipient.objects.select_for_update().filter(exchange_message_id=message.public_id).first()
    )
    if recipient is None:
        return
    move(recipient, to=message.status, by=SYSTEM, transitions=RECIPIENT_TRANSITIONS)
    recipient.their_reference = message.recipient_reference
    recipient.note = message.acknowledgement_note
    recipient.save()
    record_event(
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
            # Only a queued recipient takes it (one UPDATE … WHERE status = 'queued').
            bulk_move(LetterRecipient.objects.filter(pk=recipient.pk), to=status, transitions=RECIPIENT_TRANSITIONS)


@transaction.atomic
def register_received(*, letter_id: int, by: User, action_note: str = "") -> RegisterEntry:
    """ลงทะเบียนรับ: give a letter from the exchange its receiving number and tell the sender."""
    letter = locked_letter(letter_id, Direction.INCOMING, LetterStatus.REGISTERED)
    move_letter(letter, LetterStatus.REGISTERED, by)
    entry = take_register_number(letter, Register.RECEIVING, by)
    if action_note:
        letter.action_note = action_note
        letter.save(update_fields=["action_note", "updated_at"])
    record_event(letter, "registered", by, entry.display_number)
    if letter.exchange_message_id:
        message = ExchangeMessage.objects.get(public_id=letter.exchange_message_id)
        exchange.acknowledge(
            message=message, status=MessageStatus.REGISTERED, reference=ack_reference(entry)
        )
    return entry


@transaction.atomic
def return_received(*, letter_id: int, by: User, reason: str) -> Letter:
    """ส่งคืน: refuse a letter from the exchange (wrong addressee, incomplete) and tell the sender why."""
    if not reason.strip():
        raise ValidationError({"reason": _("กรุณาระบุเหตุผลที่ส่งคืน (Give the reason)")})
    letter = locked_letter(letter_id, Direction.INCOMING, LetterStatus.RETURNED)
    move_letter(letter, LetterStatus.RETURNED, by, reason)
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
    require_permission(by, "correspondence.register_letter")
    validate_choices(kind=kind, urgency=urgency, secrecy=secrecy)
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
    validate_lengths(
        subject=subject.strip(), sender_name=sender_name.strip(), letter_number=letter_number.strip(),
        recipient_name=recipient_name.strip(),
    )
    config = saraban_settings()
    letter = Letter.objects.create(
        direction=Direction.INCOMING,
        status=LetterStatus.REGISTERED,
        kind=kind,
        form=FORMS_OF_KIND[LetterKind(kind)][0],
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
    attach_uploads(letter, scans, role=LetterAttachment.Role.SCAN, by=by)
    entry = take_register_number(letter, Register.RECEIVING, by)
    record_event(letter, "registered", by, entry.display_number)
    return letter
