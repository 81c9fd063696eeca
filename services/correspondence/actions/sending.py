"""Sending: number a signed letter in the sending register, render and sign its PDF, deliver it
through the exchange or on paper."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from services.accounts.models import User
from services.common import signing
from services.common.buddhist_era import be_year
from services.common.numbering import next_number
from services.exchange import actions as exchange
from services.exchange.directory import current_agency_code, find_agency

from ..models import (
    ADDRESSED_FORMS,
    Direction,
    DocumentForm,
    Letter,
    LetterAttachment,
    LetterRecipient,
    LetterStatus,
    RecipientStatus,
    Register,
    RegisterEntry,
    Secrecy,
)
from ..pdf import render_letter_pdf
from ..town_settings import saraban_settings
from .common import locked_letter, move_letter, record_event, store_bytes, take_register_number

LETTER_EXCHANGE_KIND = "letter"


@transaction.atomic
def send_letter(
    *, letter_id: int, by: User, recipient_codes: Sequence[str] = (), paper_recipients: Sequence[str] = ()
) -> Letter:
    """Number a signed letter in the sending register, render its PDF and send it.

    Platform towns and outside agencies in the directory receive it through the exchange;
    top-secret letters are never sent electronically (regulation 2564 amendment) and go on paper.
    """
    letter = locked_letter(letter_id, Direction.OUTGOING, LetterStatus.SENT)
    codes = list(dict.fromkeys(c.strip() for c in recipient_codes if c.strip()))
    paper = [p.strip() for p in paper_recipients if p.strip()]
    # Orders, announcements, certificates and minutes are issued; only addressed forms need someone.
    if not codes and not paper and letter.form in ADDRESSED_FORMS:
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
    if not config.letter_prefix and letter.form in PREFIXED_FORMS:
        from ..selectors import who_sets_letter_prefix

        raise ValidationError(
            _(
                "ยังไม่ได้ตั้งรหัสหน่วยงานสำหรับเลขที่หนังสือ (เช่น ชบ 52103) — ตั้งได้ที่เมนู งานสารบรรณ › ตั้งค่า "
                "โดยเจ้าหน้าที่สารบรรณหรือผู้ดูแลระบบ: %(who)s "
                "(Set the letter prefix first: e-Saraban › Settings, by a saraban clerk or the town admin)"
            )
            % {"who": ", ".join(who_sets_letter_prefix()) or "—"}
        )
    move_letter(letter, LetterStatus.SENT, by)
    entry = assign_number(letter, config=config, by=by)
    letter.letter_date = timezone.localdate()
    letter.sender_code = letter.sender_code or current_agency_code()
    letter.sender_name = letter.sender_name or config.agency_name
    letter.save()
    reason = f"{letter.get_form_display()} {letter.letter_number}".strip()
    outcome = signing.issue_pdf(
        lambda notice: render_letter_pdf(letter, signing_notice=notice),
        reason=reason,
        name=letter.signer.display_name if letter.signer else config.agency_name,
    )
    pdf_bytes = outcome.pdf
    stamp = f"{entry.register}-{entry.year}-{entry.number}" if entry else f"{letter.form}-{letter.pk}"
    stored = store_bytes(pdf_bytes, name=f"letter-{stamp}.pdf", content_type="application/pdf", by=by)
    signing.record_outcome(stored, outcome, reason=reason)
    if outcome.is_signed:
        record_event(letter, "digitally_signed", by, outcome.signer_subject)
    else:
        record_event(letter, f"signature_{outcome.status}", by, outcome.message)
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
    record_event(letter, "sent", by, letter.letter_number)
    return letter


# Forms whose ที่ carries the town's prefix (ข้อ 12.1: letters; ข้อ 24: certificates).
PREFIXED_FORMS = frozenset(
    {DocumentForm.LETTER, DocumentForm.MEMO, DocumentForm.STAMPED, DocumentForm.CERTIFICATE}
)


def assign_number(letter: Letter, *, config, by: User | None) -> RegisterEntry | None:
    """Give the document its number in its own series, as the regulation's form for it says.

    - letters, memos, stamped letters: the sending register, ``ที่ <prefix>/<n>`` (ข้อ 12.1, 43);
      circulars ``ที่ <prefix>/ว <n>`` in a series of their own;
    - orders (คำสั่ง): their own register, ``ที่ <n>/<BE year>``, from 1 each calendar year (ข้อ 16.2);
    - announcements: their own register ``ที่ <n>/<BE year>`` when the town numbers them (setting);
    - certificates (หนังสือรับรอง): their own register, ``ที่ <prefix>/<n>`` per calendar year (ข้อ 24);
    - minutes: ``ครั้งที่ <n>/<BE year>`` per committee (ข้อ 25), or running on (town setting);
    - regulations, by-laws, statements, news, notes: no running number (their ฉบับที่ is the drafter's).
    """
    form = letter.form
    if form in (DocumentForm.LETTER, DocumentForm.MEMO, DocumentForm.STAMPED):
        entry = take_register_number(letter, Register.SENDING, by)
        if letter.is_circular:
            # Circulars carry "ว" and run their own series (domain-sources §5.3).
            number = next_number("saraban.circular", entry.year)
            letter.letter_number = f"ที่ {config.letter_prefix}/ว {number}"
        else:
            letter.letter_number = f"ที่ {config.letter_prefix}/{entry.number}"
        return entry
    if form == DocumentForm.ORDER:
        entry = take_register_number(letter, Register.ORDERS, by)
        letter.letter_number = f"ที่ {entry.number}/{entry.year}"
        return entry
    if form == DocumentForm.ANNOUNCEMENT and config.number_announcements:
        entry = take_register_number(letter, Register.ANNOUNCEMENTS, by)
        letter.letter_number = f"ที่ {entry.number}/{entry.year}"
        return entry
    if form == DocumentForm.CERTIFICATE:
        entry = take_register_number(letter, Register.CERTIFICATES, by)
        letter.letter_number = f"ที่ {config.letter_prefix}/{entry.number}"
        return entry
    if form == DocumentForm.MINUTES:
        year = be_year(timezone.now())
        committee = hashlib.sha256(letter.committee.strip().encode()).hexdigest()[:16]
        period = year if config.minutes_number_per_year else "all"
        number = next_number(f"saraban.minutes.{committee}", period)
        letter.letter_number = f"ครั้งที่ {number}/{year}" if config.minutes_number_per_year else f"ครั้งที่ {number}"
        return None
    letter.letter_number = ""
    return None


def letter_payload(letter: Letter) -> dict:
    """The letter as the exchange carries it to another agency."""
    return {
        "letter_number": letter.letter_number,
        "letter_date": letter.letter_date.isoformat(),
        "subject": letter.subject,
        "kind": letter.kind,
        "form": letter.form,
        "urgency": letter.urgency,
        "secrecy": letter.secrecy,
        "salutation": letter.salutation,
        "recipient_name": letter.recipient_name,
        "sender_name": letter.sender_name,
        "reference_to": letter.reference_to,
        "enclosures": letter.enclosures,
        "body": letter.body,
    }
