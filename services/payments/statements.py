"""End-of-day bank statement files: reading them (refusing what does not add up) and writing them.

Two formats:
- CSV (ours; UTF-8 or Windows-874): transaction_id, paid_at, amount, ref1, ref2, ref3, biller_id,
  payer_name, bank_code — `paid_at` ISO 8601 or "YYYY-MM-DD HH:MM[:SS]" in Bangkok time;
- the Bank of Thailand cross-bank bill-payment file: 256 characters a line, TIS-620, records H
  (header), D (detail) and T (trailer, whose credit total and count must match the details).

A file is read whole before anything is written: a file that does not parse is refused with the
line numbers, never half applied. Reconciling the lines is `reconciliation.reconcile` (the same
`matching.decide` as callbacks); keeping and queueing an uploaded file is `actions.statement_imports`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone

from services.common.buddhist_era import BANGKOK

from .models import StatementImport
from .payer_import import decode

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


# Money columns are Decimal(12, 2); a bigger line would fail the whole import's COPY.
MAX_LINE_AMOUNT = Decimal("9999999999.99")


def _money(text: str) -> Decimal:
    value = Decimal(text.replace(",", "").strip())
    if not value.is_finite() or value <= 0 or value > MAX_LINE_AMOUNT or value != value.quantize(Decimal("0.01")):
        raise InvalidOperation
    return value


def parse_csv(data: bytes) -> list[StatementLine]:
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
    amount = Decimal(int(text)) / 100
    if amount > MAX_LINE_AMOUNT:
        raise InvalidOperation
    return amount


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



def parse(data: bytes, statement_format: str) -> list[StatementLine]:
    if statement_format == StatementImport.Format.BOT:
        return parse_bot(data)
    if statement_format == StatementImport.Format.CSV:
        return parse_csv(data)
    raise ValidationError("รูปแบบไฟล์ไม่รู้จัก (unknown statement format)")



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
