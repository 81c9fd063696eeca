"""End-of-day bank statement import and reconciliation, in bulk, with the same rule as callbacks.

Two formats:
- CSV (ours; UTF-8 or Windows-874): transaction_id, paid_at, amount, ref1, ref2, ref3, biller_id,
  payer_name, bank_code — `paid_at` ISO 8601 or "YYYY-MM-DD HH:MM[:SS]" in Bangkok time;
- the Bank of Thailand cross-bank bill-payment file: 256 characters a line, TIS-620, records H
  (header), D (detail) and T (trailer, whose credit total and count must match the details).

A file is read whole before anything is written: a file that does not parse is refused with the
line numbers, never half applied. The same file twice is a no-op (SHA-256), and a line already
recorded (same fields) is counted as a duplicate. Each line then goes through `matching.decide`
exactly as a callback does; lines confirming callbacks already applied are marked, not paid twice.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from services.common.buddhist_era import BANGKOK, fiscal_year
from services.common.models import OutboxMessage
from services.common.workflow import move

from .actions import (
    RECEIPT_SERIES,
    _receipt_number_parts,
    _refresh_qr,
    current_town,
    statement_line_key,
    take_numbers,
)
from .bulk import allocate_ids, copy_rows, update_rows
from .matching import APPLY, CONFIRM, decide
from .models import (
    BankTransaction,
    Invoice,
    Payment,
    PaymentException,
    PaymentSettings,
    Receipt,
    StatementImport,
)
from .signals import invoice_paid
from .workflow import INVOICE_TRANSITIONS, InvoiceStatus

CHUNK = 5000
MAX_ERRORS_SHOWN = 50


@dataclass(frozen=True)
class StatementLine:
    line_no: int
    paid_at: dt.datetime
    amount: Decimal
    ref1: str
    ref2: str = ""
    ref3: str = ""
    biller_id: str = ""
    payer_name: str = ""
    bank_code: str = ""
    transaction_id: str = ""


class StatementError(ValidationError):
    """The file cannot be read; `messages` lists the lines at fault."""


def _money(text: str) -> Decimal:
    value = Decimal(text.replace(",", "").strip())
    if not value.is_finite() or value <= 0 or value != value.quantize(Decimal("0.01")):
        raise InvalidOperation
    return value


def parse_csv(data: bytes) -> list[StatementLine]:
    from .payer_import import decode

    text, _encoding = decode(data)
    reader = csv.DictReader(io.StringIO(text))
    needed = {"paid_at", "amount", "ref1"}
    if not reader.fieldnames or needed - {name.strip() for name in reader.fieldnames}:
        raise StatementError(f"ต้องมีคอลัมน์ {', '.join(sorted(needed))} (missing columns)")
    lines, errors = [], []
    for number, row in enumerate(reader, start=2):
        row = {(key or "").strip(): (value or "").strip() for key, value in row.items()}
        try:
            paid_at = dt.datetime.fromisoformat(row["paid_at"])
            paid_at = paid_at if paid_at.tzinfo else paid_at.replace(tzinfo=BANGKOK)
            amount = _money(row["amount"])
        except (ValueError, InvalidOperation):
            errors.append(f"บรรทัด {number}: วันเวลาหรือจำนวนเงินไม่ถูกต้อง (line {number}: bad paid_at or amount)")
            continue
        if not row.get("ref1"):
            errors.append(f"บรรทัด {number}: ไม่มี Ref1 (line {number}: ref1 missing)")
            continue
        lines.append(
            StatementLine(
                line_no=number,
                paid_at=paid_at,
                amount=amount,
                ref1=row["ref1"].upper()[:20],
                ref2=row.get("ref2", "").upper()[:20],
                ref3=row.get("ref3", "")[:20],
                biller_id=row.get("biller_id", "")[:15],
                payer_name=row.get("payer_name", "")[:200],
                bank_code=row.get("bank_code", "")[:20],
                transaction_id=row.get("transaction_id", "")[:100],
            )
        )
    if errors:
        raise StatementError(errors[:MAX_ERRORS_SHOWN])
    return lines


def _bot_amount(text: str) -> Decimal:
    if not text.strip().isdigit():
        raise InvalidOperation
    return Decimal(int(text)) / 100


def parse_bot(data: bytes) -> list[StatementLine]:
    """BOT cross-bank bill-payment file (positions 1-based in the spec, 0-based slices here)."""
    try:
        text = data.decode("tis_620")
    except UnicodeDecodeError as exc:
        raise StatementError("ไฟล์ต้องเข้ารหัส TIS-620 (file must be TIS-620)") from exc
    lines, errors = [], []
    trailer = None
    header_seen = False
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        if len(raw) != 256:
            errors.append(
                f"บรรทัด {number}: ยาว {len(raw)} ตัวอักษร ต้องเป็น 256 (line {number}: must be 256 chars)"
            )
            continue
        kind = raw[0]
        if kind == "H":
            header_seen = True
        elif kind == "D":
            try:
                moment = dt.datetime.strptime(raw[20:28] + raw[28:34], "%d%m%Y%H%M%S").replace(tzinfo=BANGKOK)
                amount = _bot_amount(raw[163:176])
                if amount <= 0:
                    raise InvalidOperation
            except (ValueError, InvalidOperation):
                errors.append(
                    f"บรรทัด {number}: วันเวลาหรือจำนวนเงินไม่ถูกต้อง (line {number}: bad date/time/amount)"
                )
                continue
            lines.append(
                StatementLine(
                    line_no=number,
                    paid_at=moment,
                    amount=amount,
                    payer_name=raw[34:84].strip(),
                    ref1=raw[84:104].strip().upper(),
                    ref2=raw[104:124].strip().upper(),
                    ref3=raw[124:144].strip(),
                    biller_id=raw[196:211].strip(),
                    bank_code=raw[243:246].strip(),
                    transaction_id=f"{raw[7:10]}{raw[1:7]}{raw[20:34]}",
                )
            )
        elif kind == "T":
            try:
                trailer = (_bot_amount(raw[20:33]), int(raw[33:39]), _bot_amount(raw[39:52]), int(raw[52:58]))
            except (ValueError, InvalidOperation):
                errors.append(f"บรรทัด {number}: ส่วนท้ายไฟล์ไม่ถูกต้อง (line {number}: bad trailer)")
        else:
            errors.append(f"บรรทัด {number}: ประเภทระเบียน {kind!r} ไม่รู้จัก (line {number}: unknown record type)")
    if not header_seen:
        errors.append("ไม่มีระเบียน H (no header record)")
    if trailer is None:
        errors.append("ไม่มีระเบียน T (no trailer record: the file may be cut short)")
    else:
        total, count = sum((line.amount for line in lines), Decimal("0")), len(lines)
        debit_total, debit_count, credit_total, credit_count = trailer
        if (credit_total, credit_count) != (total, count) and (debit_total, debit_count) != (total, count):
            errors.append(
                f"ยอดรวมท้ายไฟล์ไม่ตรงกับรายการ: {credit_total}/{credit_count} ≠ {total}/{count} "
                "(trailer totals do not match the details)"
            )
    if errors:
        raise StatementError(errors[:MAX_ERRORS_SHOWN])
    return lines


def import_statement(*, data: bytes, file_name: str, statement_format: str, by) -> StatementImport:
    """Read a statement file and reconcile it; returns the import with its counts (or the earlier one)."""
    if by is not None and not by.has_perm("payments.add_statementimport"):
        raise PermissionDenied("ไม่มีสิทธิ์นำเข้ารายการธนาคาร (you may not import statements)")
    digest = hashlib.sha256(data).hexdigest()
    earlier = StatementImport.objects.filter(sha256=digest).first()
    if earlier is not None:
        return earlier
    lines = _parse(data, statement_format)
    with transaction.atomic():
        statement = StatementImport.objects.create(
            file_name=file_name[:255], format=statement_format, sha256=digest, imported_by=by
        )
        reconcile(statement=statement, lines=lines, by=by)
    return statement


def _parse(data: bytes, statement_format: str) -> list[StatementLine]:
    if statement_format == StatementImport.Format.BOT:
        return parse_bot(data)
    if statement_format == StatementImport.Format.CSV:
        return parse_csv(data)
    raise ValidationError("รูปแบบไฟล์ไม่รู้จัก (unknown statement format)")


MAX_UPLOAD_BYTES = 40 * 1024 * 1024  # ~150,000 BOT lines


def queue_statement_import(*, upload, statement_format: str, by) -> StatementImport:
    """Keep an uploaded statement file and reconcile it in a Celery task (big files take tens of seconds).

    Returns the new import (status PROCESSING) or the earlier import of the same file.
    """
    from services.common.files.actions import store_upload

    from .tasks import import_statement_file

    if by is None or not by.has_perm("payments.add_statementimport"):
        raise PermissionDenied("ไม่มีสิทธิ์นำเข้ารายการธนาคาร (you may not import statements)")
    if statement_format not in StatementImport.Format.values:
        raise ValidationError("รูปแบบไฟล์ไม่รู้จัก (unknown statement format)")
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    earlier = StatementImport.objects.filter(sha256=digest.hexdigest()).first()
    if earlier is not None:
        return earlier
    with transaction.atomic():
        stored = store_upload(upload, purpose="bank-statement", by=by, max_bytes=MAX_UPLOAD_BYTES)
        statement = StatementImport.objects.create(
            file_name=(upload.name or "statement")[:255],
            format=statement_format,
            sha256=digest.hexdigest(),
            imported_by=by,
            status=StatementImport.Status.PROCESSING,
            source_file=stored,
        )
        transaction.on_commit(lambda: import_statement_file.delay(statement.pk))
    return statement


def process_statement_import(*, statement_id: int) -> StatementImport:
    """Reconcile a queued statement file once; a file that does not parse is marked failed with its lines."""
    with transaction.atomic():
        statement = (
            StatementImport.objects.select_for_update(of=("self",))
            .select_related("source_file")
            .get(pk=statement_id)
        )
        if statement.status != StatementImport.Status.PROCESSING:
            return statement
        with statement.source_file.file.open("rb") as handle:
            data = handle.read()
        try:
            lines = _parse(data, statement.format)
        except ValidationError as exc:
            statement.status = StatementImport.Status.FAILED
            statement.error = "\n".join(exc.messages)
            statement.save(update_fields=["status", "error"])
            return statement
        statement.status = StatementImport.Status.DONE
        reconcile(statement=statement, lines=lines, by=statement.imported_by)
    return statement


def _keyed(lines: list[StatementLine]) -> list[tuple[str, StatementLine]]:
    seen: Counter = Counter()
    keyed = []
    for line in lines:
        base = (
            line.bank_code,
            line.biller_id,
            line.ref1,
            line.ref2,
            line.amount,
            line.paid_at,
            line.transaction_id,
        )
        seen[base] += 1
        # Two identical lines in one file are two payments; the occurrence number keeps them apart.
        keyed.append(
            (
                statement_line_key(
                    bank_code=line.bank_code,
                    biller_id=line.biller_id,
                    ref1=line.ref1,
                    ref2=line.ref2,
                    amount=line.amount,
                    paid_at=line.paid_at,
                    extra=f"{line.transaction_id}#{seen[base]}",
                ),
                line,
            )
        )
    return keyed


@dataclass(slots=True)
class _Bill:
    """What matching needs of an invoice, without building a model instance per row."""

    pk: int
    ref1: str
    ref2: str
    status: str
    total: Decimal
    paid_amount: Decimal
    payer_name: str
    payer_phone: str
    number: str
    changed: bool = False


@dataclass(slots=True)
class _Report:
    """An earlier, unconfirmed report of the same Ref1 from another channel (see matching.decide)."""

    pk: int
    amount: Decimal
    channel: str
    paid_at: dt.datetime
    payment_id: int | None


def reconcile(*, statement: StatementImport, lines: list[StatementLine], by=None) -> None:
    """Record and match many statement lines in the caller's transaction (the bulk path).

    The same decision (`matching.decide`) as a callback, on plain values: 100,000 lines are written
    with COPY rather than as 500,000 model instances.
    """
    town = current_town()
    town_biller_id = getattr(town, "promptpay_biller_id", "")
    settings_row = PaymentSettings.current()
    now = timezone.now()
    keyed = sorted(_keyed(lines), key=lambda pair: (pair[1].paid_at, pair[1].line_no))
    all_keys = [key for key, _line in keyed]
    existing_keys: set[str] = set()
    for start in range(0, len(all_keys), CHUNK):
        existing_keys.update(
            BankTransaction.objects.filter(transaction_key__in=all_keys[start : start + CHUNK]).values_list(
                "transaction_key", flat=True
            )
        )
    fresh = [(key, line) for key, line in keyed if key not in existing_keys]

    refs = sorted({line.ref1 for _key, line in fresh if line.ref1})
    bills: dict[str, _Bill] = {}
    for start in range(0, len(refs), CHUNK):
        rows = (
            Invoice.objects.select_for_update()
            .filter(ref1__in=refs[start : start + CHUNK])
            .values_list(
                "pk", "ref1", "ref2", "status", "total", "paid_amount", "payer_name", "payer_phone", "number"
            )
        )
        for row in rows:
            bills[row[1]] = _Bill(*row)
    reports_by_ref: dict[str, list[_Report]] = defaultdict(list)
    line_refs = sorted({line.ref1 for _key, line in fresh if line.ref1})
    for start in range(0, len(line_refs), CHUNK):
        earlier = (
            BankTransaction.objects.filter(
                ref1__in=line_refs[start : start + CHUNK],
                outcome__in=[BankTransaction.Outcome.MATCHED, BankTransaction.Outcome.EXCEPTION],
                confirmation__isnull=True,
            )
            .exclude(channel=BankTransaction.Channel.COUNTER)
            .order_by("paid_at", "pk")
            .values_list("ref1", "pk", "amount", "channel", "paid_at", "payment__pk")
        )
        for ref1, *values in earlier:
            reports_by_ref[ref1].append(_Report(*values))

    transaction_ids = allocate_ids(BankTransaction, len(fresh))
    transaction_rows, payment_rows, exception_rows, confirmations = [], [], [], []
    new_payments: list[tuple[int, _Bill, Decimal]] = []
    newly_paid: list[int] = []
    counts: Counter = Counter()
    channel = BankTransaction.Channel.STATEMENT
    for txn_id, (key, line) in zip(transaction_ids, fresh, strict=True):
        confirms_id = None
        bill = bills.get(line.ref1)
        reports = reports_by_ref.get(line.ref1, [])
        decision = decide(
            channel=channel,
            biller_id=line.biller_id,
            ref2=line.ref2,
            amount=line.amount,
            paid_at=line.paid_at,
            town_biller_id=town_biller_id,
            invoice=bill,
            reports=reports,
        )
        if decision.action == APPLY:
            new_payments.append((txn_id, bill, line.amount))
            payment_rows.append(
                {
                    "invoice_id": bill.pk,
                    "amount": line.amount,
                    "paid_at": line.paid_at,
                    "channel": channel,
                    "bank_transaction_id": txn_id,
                    "recorded_by_id": by.pk if by else None,
                    "confirmed_by_id": None,
                }
            )
            bill.paid_amount += line.amount
            bill.changed = True
            if bill.paid_amount >= bill.total:
                move(bill, to=InvoiceStatus.PAID, by=None, transitions=INVOICE_TRANSITIONS)
                newly_paid.append(bill.pk)
            outcome = BankTransaction.Outcome.MATCHED
        elif decision.action == CONFIRM:
            reports.remove(decision.report)
            confirms_id = decision.report.pk
            if decision.report.payment_id:
                confirmations.append((decision.report.payment_id, txn_id))
            outcome = BankTransaction.Outcome.CONFIRMED
        else:
            exception_rows.append(
                {
                    "kind": decision.exception_kind,
                    "bank_transaction_id": txn_id,
                    "invoice_id": bill.pk if bill else None,
                    "amount": line.amount,
                    "note": decision.note,
                }
            )
            outcome = BankTransaction.Outcome.EXCEPTION
        counts[outcome] += 1
        transaction_rows.append(
            {
                "id": txn_id,
                "channel": channel,
                "transaction_key": key,
                "amount": line.amount,
                "paid_at": line.paid_at,
                "ref1": line.ref1,
                "ref2": line.ref2,
                "ref3": line.ref3,
                "biller_id": line.biller_id,
                "bank_code": line.bank_code,
                "payer_name": line.payer_name,
                "statement_id": statement.pk,
                "raw": {"line": line.line_no, "transaction_id": line.transaction_id},
                "outcome": outcome,
                "confirms_id": confirms_id,
            }
        )

    copy_rows(BankTransaction, transaction_rows, now=now)
    payment_ids = allocate_ids(Payment, len(payment_rows))
    for payment_id, row in zip(payment_ids, payment_rows, strict=True):
        row["id"] = payment_id
    copy_rows(Payment, payment_rows, now=now)
    copy_rows(PaymentException, exception_rows, now=now)
    update_rows(Payment, ["confirmed_by"], confirmations)
    paid = set(newly_paid)
    update_rows(
        Invoice,
        ["paid_amount", "status", "paid_at", "qr_payload", "updated_at"],
        [
            (bill.pk, bill.paid_amount, bill.status, now if bill.pk in paid else None, "", now)
            for bill in bills.values()
            if bill.changed and bill.pk in paid
        ],
    )
    # Partly paid bills keep their status; their QR must ask for the rest, so refresh those one by one
    # (rare: a statement line is applied only when it covers the whole outstanding amount).
    for bill in bills.values():
        if bill.changed and bill.pk not in paid:
            invoice = Invoice.objects.get(pk=bill.pk)
            invoice.paid_amount = bill.paid_amount
            _refresh_qr(invoice)
            invoice.save(update_fields=["paid_amount", "qr_payload", "updated_at"])
    if newly_paid and invoice_paid.has_listeners(Invoice):
        for invoice in Invoice.objects.filter(pk__in=newly_paid).iterator(chunk_size=2000):
            invoice_paid.send(
                sender=Invoice, invoice=invoice, source=invoice.source, source_id=invoice.source_id
            )
    _issue_receipts_in_bulk(
        [
            (payment_id, bill, amount)
            for payment_id, (_txn, bill, amount) in zip(payment_ids, new_payments, strict=True)
        ],
        settings_row=settings_row,
        town=town,
        now=now,
    )

    statement.line_count = len(lines)
    statement.duplicate_count = len(lines) - len(fresh)
    statement.matched_count = counts[BankTransaction.Outcome.MATCHED]
    statement.confirmed_count = counts[BankTransaction.Outcome.CONFIRMED]
    statement.exception_count = counts[BankTransaction.Outcome.EXCEPTION]
    statement.total = sum((line.amount for line in lines), Decimal("0"))
    statement.save()


def _issue_receipts_in_bulk(payments: list[tuple[int, _Bill, Decimal]], *, settings_row, town, now) -> None:
    """One receipt per new payment, numbered from one locked block of the gapless series."""
    if not payments:
        return
    fiscal = fiscal_year(now)
    first = take_numbers(RECEIPT_SERIES, fiscal, len(payments))
    receipt_ids = allocate_ids(Receipt, len(payments))
    receipts, messages = [], []
    host = town.primary_host if town else ""
    for offset, ((payment_id, bill, amount), receipt_id) in enumerate(
        zip(payments, receipt_ids, strict=True)
    ):
        sequence = first + offset
        book_no, number_in_book = _receipt_number_parts(sequence, settings_row.receipt_book_size)
        token = uuid.uuid4()
        receipts.append(
            {
                "id": receipt_id,
                "fiscal_year": fiscal,
                "sequence": sequence,
                "book_no": book_no,
                "number_in_book": number_in_book,
                "payment_id": payment_id,
                "invoice_id": bill.pk,
                "payer_name": bill.payer_name,
                "amount": amount,
                "issued_at": now,
                "receiver_name": settings_row.receiver_name,
                "verification_token": token,
            }
        )
        if bill.payer_phone:
            messages.append(
                {
                    "idempotency_key": f"receipt-sms-{receipt_id}",
                    "channel": "sms",
                    "recipient": bill.payer_phone,
                    "next_attempt_at": now,
                    "body": (
                        f"ได้รับชำระ {amount:,.2f} บาท ตามใบแจ้งหนี้ {bill.number} "
                        f"ใบเสร็จเลขที่ {fiscal}/{sequence:06d}: "
                        f"https://{host}/payments/receipt/{token}/receipt.pdf"
                    ),
                }
            )
    copy_rows(Receipt, receipts, now=now)
    # Sent by the outbox sweep within a minute; one Celery message per receipt would flood the broker.
    copy_rows(OutboxMessage, messages, now=now)


def _field(value: str, width: int, *, right: bool = False, fill: str = " ") -> str:
    value = value[:width]
    return value.rjust(width, fill) if right else value.ljust(width, fill)


def format_bot_file(
    lines: list[StatementLine],
    *,
    bank_code: str = "014",
    company_account: str = "0000000000",
    company_name: str = "",
    day: dt.date | None = None,
) -> bytes:
    """Write lines as a BOT cross-bank bill-payment file (what a bank sends; used by tests and the bench)."""
    day = day or timezone.localdate()
    out = [
        "H"
        + _field("1", 6, right=True, fill="0")
        + _field(bank_code, 3)
        + _field(company_account, 10)
        + _field(company_name, 40)
        + day.strftime("%d%m%Y")
        + _field("", 8)
        + _field("", 180)
    ]
    total = Decimal("0")
    for sequence, line in enumerate(lines, start=2):
        local = line.paid_at.astimezone(BANGKOK)
        satang = int(line.amount * 100)
        total += line.amount
        record = (
            "D"
            + _field(str(sequence), 6, right=True, fill="0")
            + _field(bank_code, 3)
            + _field(company_account, 10)
            + local.strftime("%d%m%Y%H%M%S")
            + _field(line.payer_name, 50)
            + _field(line.ref1, 20)
            + _field(line.ref2, 20)
            + _field(line.ref3, 20)
            + _field("0001", 4)
            + _field("", 4)
            + "C"
            + _field("", 3)
            + _field("", 7)
            + _field(str(satang), 13, right=True, fill="0")
            + _field("", 3)
            + _field("", 17)
            + _field(line.biller_id, 15)
            + _field("", 32)
            + _field(line.bank_code, 3)
            + _field("", 10)
        )
        out.append(record)
    count = len(lines)
    out.append(
        "T"
        + _field(str(count + 2), 6, right=True, fill="0")
        + _field(bank_code, 3)
        + _field(company_account, 10)
        + _field("0", 13, right=True, fill="0")
        + _field("0", 6, right=True, fill="0")
        + _field(str(int(total * 100)), 13, right=True, fill="0")
        + _field(str(count), 6, right=True, fill="0")
        + _field("", 198)
    )
    return ("\r\n".join(out) + "\r\n").encode("tis_620")
