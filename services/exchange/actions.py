"""Writes of the exchange: send a message, deliver it exactly once, acknowledge it, take one in
from an agency outside the platform.

Delivery runs only in Celery tasks (tasks.py), never in a web request: a message is a row in the
public schema written in the sender's business transaction, and the task copies it into the
recipient town's schema. The row is locked FOR UPDATE during delivery and the recipient's handler
writes in the same transaction as the status change, so a crash at any point leaves either
"queued, nothing written" or "delivered, written once"; never two copies.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from services.common.audit_context import no_request_actor
from services.common.queueing import run_after_commit
from services.common.workflow import SYSTEM, move

from . import signing
from .directory import Agency, find_agency
from .kinds import ACK_FIELDS, ACK_KIND, Kind, clean_payload, get_kind
from .models import (
    ExchangeAttachment,
    ExchangeMessage,
    ExternalAgency,
    InboundNonce,
    MessageStatus,
    RefusedInbound,
)
from .transport import TransportError, post_json
from .workflow import TRANSITIONS

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# Queued by name (tasks.py wraps this module: no import back).
DELIVER_TASK = "services.exchange.tasks.deliver_message"
# A queued message not delivered by then is sent again by the sweep (a lost broker message, a
# worker killed mid-delivery).
FIRST_DEADLINE = dt.timedelta(minutes=2)
ACK_STATUSES = (MessageStatus.REGISTERED, MessageStatus.RETURNED)


@dataclass(frozen=True)
class Attachment:
    name: str
    content_type: str
    content: bytes


class DeliveryPostponed(Exception):
    """The recipient could not take the message now; the task retries it later."""


def _check_attachments(kind: Kind, attachments: Sequence[Attachment]) -> None:
    if len(attachments) > kind.max_attachments:
        raise ValidationError(
            _("แนบไฟล์ได้ไม่เกิน %(n)s ไฟล์ (Too many attachments)") % {"n": kind.max_attachments},
            code="attachments",
        )
    for item in attachments:
        if item.content_type not in kind.attachment_types:
            raise ValidationError(
                _("ไม่รับไฟล์ประเภท %(t)s (Attachment type not accepted)") % {"t": item.content_type},
                code="file_type",
            )
        if len(item.content) > kind.max_attachment_bytes:
            raise ValidationError(
                _("ไฟล์ %(n)s ใหญ่เกินกำหนด (Attachment too large)") % {"n": item.name}, code="file_too_large"
            )


def _dispatch_after_commit(message: ExchangeMessage) -> None:
    run_after_commit(DELIVER_TASK, message.pk)


def send(
    *,
    kind: str,
    sender_code: str,
    recipient_code: str,
    payload: dict,
    attachments: Sequence[Attachment] = (),
) -> ExchangeMessage:
    """Queue a message to another agency; it is delivered by a task after the caller commits."""
    spec = get_kind(kind)
    clean = clean_payload(spec, payload)
    _check_attachments(spec, attachments)
    if sender_code == recipient_code:
        raise ValidationError(_("ส่งถึงหน่วยงานตัวเองไม่ได้ (Cannot send to yourself)"), code="self")
    recipient = find_agency(recipient_code)
    if recipient is None:
        raise ValidationError(
            _("ไม่พบหน่วยงานผู้รับ %(c)s ในทะเบียนหน่วยงาน (Recipient agency not in the directory)")
            % {"c": recipient_code},
            code="unknown_recipient",
        )
    if not recipient.is_platform_town and not recipient.endpoint:
        raise ValidationError(
            _("หน่วยงาน %(c)s ยังไม่มีที่อยู่รับข้อความ (The agency has no endpoint)") % {"c": recipient_code},
            code="no_endpoint",
        )
    message = ExchangeMessage.objects.create(
        kind=kind,
        sender_code=sender_code,
        recipient_code=recipient_code,
        payload=clean,
        next_attempt_at=timezone.now() + FIRST_DEADLINE,
    )
    for item in attachments:
        ExchangeAttachment.objects.create(
            message=message,
            name=item.name[:255],
            content_type=item.content_type,
            size=len(item.content),
            sha256=hashlib.sha256(item.content).hexdigest(),
            content=item.content,
        )
    _dispatch_after_commit(message)
    return message


def acknowledge(
    *, message: ExchangeMessage, status: str, reference: str = "", note: str = ""
) -> ExchangeMessage:
    """Tell the sender that its message was registered (with our number) or returned (with why)."""
    if status not in ACK_STATUSES:
        raise ValidationError(_("สถานะตอบรับไม่ถูกต้อง (Invalid acknowledgement status)"), code="ack_status")
    ack = ExchangeMessage.objects.create(
        kind=ACK_KIND,
        sender_code=message.recipient_code,
        recipient_code=message.sender_code,
        payload={"status": str(status), "reference": reference, "note": note},
        answers=message,
        next_attempt_at=timezone.now() + FIRST_DEADLINE,
    )
    _dispatch_after_commit(ack)
    return ack


# --- delivery ---------------------------------------------------------------------------------------


def deliver(message_id: int) -> str:
    """Deliver one message (in the recipient's schema, or over HTTPS to an outside agency).

    Returns the status afterwards. Safe to call any number of times: only a queued message is
    delivered, under a row lock. Raises DeliveryPostponed when the caller should retry later. When
    delivery has given up, the sending service is told (its kind's `failed`, in the sender's schema),
    so nothing waits for a message that will never arrive.
    """
    status = _deliver(message_id)
    if status == MessageStatus.FAILED:
        _tell_sender_it_failed(message_id)
    return status


def _tell_sender_it_failed(message_id: int) -> None:
    message = ExchangeMessage.objects.get(pk=message_id)
    spec = None if message.kind == ACK_KIND else get_kind(message.kind)
    sender = find_agency(message.sender_code)
    if spec is None or spec.failed is None or sender is None or not sender.is_platform_town:
        return
    with tenant_context(sender.town), no_request_actor(), transaction.atomic():
        spec.failed(message)


def _deliver(message_id: int) -> str:
    message = ExchangeMessage.objects.filter(pk=message_id).first()
    if message is None or message.status != MessageStatus.QUEUED:
        return message.status if message else "missing"
    recipient = find_agency(message.recipient_code)
    if recipient is None:
        # A suspended town or a deactivated agency may come back: retry with back-off, then fail.
        with transaction.atomic():
            locked = ExchangeMessage.objects.select_for_update().get(pk=message_id)
            if locked.status != MessageStatus.QUEUED:
                return locked.status
            locked.attempts += 1
            _record_failure(locked, "recipient agency is not in the directory (suspended or removed)")
        if locked.status == MessageStatus.FAILED:
            return locked.status
        raise DeliveryPostponed(locked.last_error)
    if recipient.is_platform_town:
        # A delivery may run inside the sender's request (eager Celery): its signed-in user is not a
        # user of the recipient's schema, so nothing there is attributed to them.
        with tenant_context(recipient.town), no_request_actor():
            return _deliver_in_town(message_id)
    return _deliver_outside(message_id, recipient)


def _drop_attachment_bytes(message: ExchangeMessage) -> None:
    # Delivered: the recipient holds its copy, so the public schema keeps only names and checksums.
    message.attachments.update(content=b"")


def _record_failure(message: ExchangeMessage, error: str) -> None:
    message.last_error = error[:2000]
    if message.attempts >= MAX_ATTEMPTS:
        move(message, to=MessageStatus.FAILED, by=SYSTEM, transitions=TRANSITIONS)
        message.next_attempt_at = None
    else:
        message.next_attempt_at = timezone.now() + dt.timedelta(seconds=30 * 2 ** (message.attempts - 1))
    message.save(update_fields=["status", "attempts", "last_error", "next_attempt_at"])


def _deliver_in_town(message_id: int) -> str:
    with transaction.atomic():
        message = ExchangeMessage.objects.select_for_update().get(pk=message_id)
        if message.status != MessageStatus.QUEUED:
            return message.status  # delivered meanwhile by another attempt: exactly once
        message.attempts += 1
        try:
            with transaction.atomic():
                if message.kind == ACK_KIND:
                    reference = _apply_acknowledgement(message)
                else:
                    reference = get_kind(message.kind).deliver(message) or ""
        except Exception as exc:
            logger.exception("exchange delivery %s failed", message.public_id)
            _record_failure(message, f"{type(exc).__name__}: {exc}")
            failure = exc
        else:
            failure = None
            move(message, to=MessageStatus.DELIVERED, by=SYSTEM, transitions=TRANSITIONS)
            message.delivered_at = timezone.now()
            message.next_attempt_at = None
            message.last_error = ""
            if reference and not message.recipient_reference:
                message.recipient_reference = reference[:200]
            message.save()
            _drop_attachment_bytes(message)
    # Raised after the commit, so the attempt count and the error are kept for the retry.
    if failure is not None and message.status != MessageStatus.FAILED:
        raise DeliveryPostponed(str(failure)) from failure
    return message.status


def _apply_acknowledgement(ack: ExchangeMessage) -> str:
    """In the original sender's schema: record registered/returned on the original message."""
    original = ExchangeMessage.objects.select_for_update().get(pk=ack.answers_id)
    status = ack.payload.get("status")
    if status not in ACK_STATUSES:
        raise ValidationError("invalid acknowledgement status")
    move(original, to=status, by=SYSTEM, transitions=TRANSITIONS)
    original.recipient_reference = (ack.payload.get("reference") or "")[:200]
    original.acknowledgement_note = ack.payload.get("note") or ""
    original.acknowledged_at = timezone.now()
    original.save(update_fields=["status", "recipient_reference", "acknowledgement_note", "acknowledged_at"])
    if original.kind != ACK_KIND:
        spec = get_kind(original.kind)
        if spec.acknowledged is not None:
            spec.acknowledged(original)
    return ""


def wire_format(message: ExchangeMessage) -> dict:
    """The documented JSON body of a message sent to an outside agency (docs: services/exchange/README.md)."""
    return {
        "id": str(message.public_id),
        "kind": message.kind,
        "sender": message.sender_code,
        "recipient": message.recipient_code,
        "sent_at": message.created_at.isoformat(),
        "answers": str(message.answers.public_id) if message.answers_id else None,
        "payload": message.payload,
        "attachments": [
            {
                "name": a.name,
                "content_type": a.content_type,
                "sha256": a.sha256,
                "content_base64": base64.b64encode(bytes(a.content)).decode(),
            }
            for a in message.attachments.all()
        ],
    }


def _deliver_outside(message_id: int, recipient: Agency) -> str:
    with transaction.atomic():
        message = ExchangeMessage.objects.select_for_update().get(pk=message_id)
        if message.status != MessageStatus.QUEUED:
            return message.status
        message.attempts += 1
        body = json.dumps(wire_format(message), ensure_ascii=False, separators=(",", ":")).encode()
        headers = signing.signed_headers(agency_code=message.sender_code, key=recipient.shared_key, body=body)
        try:
            post_json(recipient.endpoint, body, headers)
        except TransportError as exc:
            _record_failure(message, str(exc))
            failure = exc
        else:
            failure = None
            move(message, to=MessageStatus.DELIVERED, by=SYSTEM, transitions=TRANSITIONS)
            message.delivered_at = timezone.now()
            message.next_attempt_at = None
            message.last_error = ""
            message.save()
            _drop_attachment_bytes(message)
    if failure is not None and message.status != MessageStatus.FAILED:
        raise DeliveryPostponed(str(failure)) from failure
    return message.status


def due_message_ids(*, now: dt.datetime | None = None, limit: int = 500) -> list[int]:
    """Queued messages whose delivery is overdue (lost task, killed worker, retry time reached)."""
    now = now or timezone.now()
    return list(
        ExchangeMessage.objects.filter(status=MessageStatus.QUEUED, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


# --- inbound from outside the platform -------------------------------------------------------------


class InboundRefused(Exception):
    def __init__(self, reason: str, http_status: int, message_th: str, message_en: str) -> None:
        self.reason, self.http_status = reason, http_status
        self.message_th, self.message_en = message_th, message_en
        super().__init__(reason)


def _refuse(
    reason: str,
    http_status: int,
    th: str,
    en: str,
    *,
    agency_code: str,
    recipient_code: str,
    remote_addr: str | None,
    body: bytes,
) -> InboundRefused:
    RefusedInbound.objects.create(
        agency_code=agency_code[:40],
        recipient_code=recipient_code[:40],
        reason=reason,
        remote_addr=remote_addr,
        body_sha256=hashlib.sha256(body).hexdigest(),
    )
    logger.warning("exchange inbound refused: %s from %r to %r", reason, agency_code, recipient_code)
    return InboundRefused(reason, http_status, th, en)


def receive_from_outside(
    *, body: bytes, headers: dict[str, str], recipient_code: str, remote_addr: str | None = None
) -> tuple[ExchangeMessage, bool]:
    """Verify and queue a message an outside agency posted to a town; returns (message, created).

    Refuses (and logs) an unknown agency, a stale timestamp, a wrong signature, a replayed nonce,
    a payload outside the kind's fields. The same message id sent twice is taken once.
    """
    code = headers.get(signing.HEADER_AGENCY, "")
    timestamp = headers.get(signing.HEADER_TIMESTAMP, "")
    nonce = headers.get(signing.HEADER_NONCE, "")
    given = headers.get(signing.HEADER_SIGNATURE, "")
    ctx = {"agency_code": code, "recipient_code": recipient_code, "remote_addr": remote_addr, "body": body}
    agency = ExternalAgency.objects.filter(code=code, is_active=True).first() if code else None
    if agency is None:
        raise _refuse("unknown_agency", 401, "ไม่รู้จักหน่วยงานผู้ส่ง", "Unknown sending agency.", **ctx)
    if not signing.is_valid_signature(
        key=agency.shared_key, timestamp=timestamp, nonce=nonce, body=body, given=given
    ):
        raise _refuse("bad_signature", 401, "ลายมือชื่ออิเล็กทรอนิกส์ไม่ถูกต้อง", "Invalid signature.", **ctx)
    if not signing.is_fresh(timestamp):
        raise _refuse(
            "stale", 401, "เวลาของข้อความไม่อยู่ในช่วงที่ยอมรับ", "Timestamp outside the accepted window.", **ctx
        )
    if not nonce or len(nonce) > 100:
        raise _refuse("bad_nonce", 400, "ไม่มีรหัสครั้งเดียว (nonce)", "Missing nonce.", **ctx)
    try:
        with transaction.atomic():
            InboundNonce.objects.create(agency_code=code, nonce=nonce)
    except IntegrityError:
        raise _refuse("replay", 409, "ข้อความนี้เคยได้รับแล้ว (ส่งซ้ำ)", "Replayed message.", **ctx) from None
    try:
        data = json.loads(body)
        if not isinstance(data, dict):
            raise ValueError("not an object")
    except ValueError:
        raise _refuse("bad_json", 400, "รูปแบบ JSON ไม่ถูกต้อง", "Malformed JSON.", **ctx) from None
    if data.get("sender") != code or data.get("recipient") != recipient_code:
        raise _refuse(
            "wrong_party", 400, "ผู้ส่งหรือผู้รับไม่ตรงกับข้อความ", "Sender or recipient does not match.", **ctx
        )
    external_id = str(data.get("id") or "")[:100]
    if not external_id:
        raise _refuse("bad_json", 400, "ไม่มีรหัสข้อความ (id)", "Missing message id.", **ctx)
    existing = ExchangeMessage.objects.filter(sender_code=code, external_id=external_id).first()
    if existing is not None:
        return existing, False
    kind = str(data.get("kind") or "")
    # Everything that can refuse is checked before the write, so the refusal log is never rolled back.
    original = None
    attachments: list[Attachment] = []
    if kind == ACK_KIND:
        payload = data.get("payload") or {}
        original = (
            ExchangeMessage.objects.filter(
                public_id=_uuid_or_none(data.get("answers")),
                sender_code=recipient_code,
                recipient_code=code,
            )
            .exclude(kind=ACK_KIND)
            .first()
        )
        if (
            original is None
            or not isinstance(payload, dict)
            or set(payload) - ACK_FIELDS
            or payload.get("status") not in ACK_STATUSES
        ):
            raise _refuse(
                "bad_ack",
                400,
                "ข้อความตอบรับไม่ตรงกับหนังสือที่ส่ง",
                "Acknowledgement matches no sent message.",
                **ctx,
            )
    else:
        try:
            spec = get_kind(kind)
            payload = clean_payload(spec, data.get("payload") or {})
            attachments = _decode_attachments(data.get("attachments") or [])
            _check_attachments(spec, attachments)
        except ValidationError as exc:
            raise _refuse(
                "invalid", 400, "ข้อมูลไม่ถูกต้อง: " + "; ".join(exc.messages), "Invalid message.", **ctx
            ) from None
    with transaction.atomic():
        message = ExchangeMessage.objects.create(
            kind=kind,
            sender_code=code,
            recipient_code=recipient_code,
            payload=payload,
            answers=original,
            external_id=external_id,
            next_attempt_at=timezone.now() + FIRST_DEADLINE,
        )
        for item in attachments:
            ExchangeAttachment.objects.create(
                message=message,
                name=item.name[:255],
                content_type=item.content_type,
                size=len(item.content),
                sha256=hashlib.sha256(item.content).hexdigest(),
                content=item.content,
            )
        _dispatch_after_commit(message)
    return message, True


def _uuid_or_none(value):
    import uuid

    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


def _decode_attachments(items) -> list[Attachment]:
    if not isinstance(items, list):
        raise ValidationError("attachments must be a list")
    decoded = []
    for item in items:
        if not isinstance(item, dict):
            raise ValidationError("attachment must be an object")
        try:
            content = base64.b64decode(item.get("content_base64") or "", validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError(_("ไฟล์แนบเข้ารหัส base64 ไม่ถูกต้อง (Bad base64)")) from None
        if item.get("sha256") and hashlib.sha256(content).hexdigest() != item["sha256"]:
            raise ValidationError(_("ไฟล์แนบเสียหาย (Attachment checksum mismatch)"))
        decoded.append(
            Attachment(
                name=str(item.get("name") or "file"),
                content_type=str(item.get("content_type") or ""),
                content=content,
            )
        )
    return decoded
