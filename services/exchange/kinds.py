"""Kinds of exchange messages and their handlers.

A service declares a kind once (in its AppConfig.ready()): the payload fields it may carry, the
handler that receives it in the recipient town's schema, and the handler told about the
acknowledgement in the sender town's schema. The exchange knows nothing else about letters or
referrals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ACK_KIND = "ack"
ACK_FIELDS = frozenset({"status", "reference", "note"})


@dataclass(frozen=True)
class Kind:
    name: str
    fields: frozenset[str]
    required: frozenset[str]
    # Runs in the recipient's schema inside the delivery transaction; returns a reference or "".
    deliver: Callable
    # Runs in the sender's schema when an acknowledgement arrives (registered / returned).
    acknowledged: Callable | None = None
    # Runs in the sender's schema when delivery gave up (status `failed`); may run more than once for
    # one message, so it must be idempotent.
    failed: Callable | None = None
    # Which attachment types may travel with this kind.
    attachment_types: tuple[str, ...] = ("application/pdf", "image/jpeg", "image/png")
    max_attachment_bytes: int = 10 * 1024 * 1024
    max_attachments: int = 20
    extra: dict = field(default_factory=dict)


_KINDS: dict[str, Kind] = {}


def register_kind(kind: Kind) -> None:
    """Declare a kind; declaring the same name twice replaces it (apps.ready() may run twice in tests)."""
    if kind.name == ACK_KIND:
        raise ValueError("'ack' is the exchange's own kind")
    _KINDS[kind.name] = kind


def get_kind(name: str) -> Kind:
    try:
        return _KINDS[name]
    except KeyError:
        raise ValidationError(
            _("ไม่รู้จักประเภทข้อความ %(kind)s (Unknown message kind)") % {"kind": name}, code="unknown_kind"
        ) from None


def clean_payload(kind: Kind, payload: dict) -> dict:
    """Keep the payload to the kind's declared fields: unknown keys and missing required ones refuse."""
    if not isinstance(payload, dict):
        raise ValidationError(_("ข้อมูลต้องเป็นออบเจ็กต์ JSON (Payload must be a JSON object)"), code="payload")
    unknown = sorted(set(payload) - kind.fields)
    if unknown:
        raise ValidationError(
            _("มีช่องข้อมูลที่ไม่อนุญาต: %(f)s (Fields not allowed for this kind)") % {"f": ", ".join(unknown)},
            code="payload_fields",
        )
    missing = sorted(f for f in kind.required if payload.get(f) in (None, ""))
    if missing:
        raise ValidationError(
            _("ขาดข้อมูลที่จำเป็น: %(f)s (Required fields missing)") % {"f": ", ".join(missing)},
            code="payload_required",
        )
    return dict(payload)
