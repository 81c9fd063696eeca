"""Payer registry CSV import (UTF-8 or Windows-874/TIS-620), with a row-by-row error report.

Columns (header row, any order; Thai or English names): code, name, kind, house_no, community, address,
occupancy, phone, email, garbage_tier, wastewater_tier, wastewater_m3. Rows are upserted by code, so
fixing the reported rows and importing the file again is safe. Each row is saved in its own
savepoint: a bad row is reported and leaves nothing half-written.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction

from services.common.thai_phone import normalize_thai_phone

from .models import FeeTier, Payer, PayerFee, PayerKind

HEADER_ALIASES = {
    "code": "code",
    "รหัส": "code",
    "รหัสผู้ชำระ": "code",
    "name": "name",
    "ชื่อ": "name",
    "ชื่อผู้ชำระ": "name",
    "kind": "kind",
    "ประเภท": "kind",
    "house_no": "house_no",
    "บ้านเลขที่": "house_no",
    "community": "community",
    "ชุมชน": "community",
    "address": "address",
    "ที่อยู่": "address",
    "occupancy": "occupancy",
    "สถานะ": "occupancy",
    "phone": "phone",
    "โทรศัพท์": "phone",
    "email": "email",
    "อีเมล": "email",
    "garbage_tier": "garbage_tier",
    "อัตราค่าขยะ": "garbage_tier",
    "wastewater_tier": "wastewater_tier",
    "อัตราค่าบำบัดน้ำเสีย": "wastewater_tier",
    "wastewater_m3": "wastewater_m3",
    "ปริมาณน้ำเสีย": "wastewater_m3",
}
KIND_ALIASES = {
    **{k: k for k in PayerKind.values},
    **{str(label): value for value, label in PayerKind.choices},
}
OCCUPANCY_ALIASES = {
    **{k: k for k in Payer.Occupancy.values},
    **{str(label): value for value, label in Payer.Occupancy.choices},
}
MAX_ROWS = 50_000


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    encoding: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


def decode(data: bytes) -> tuple[str, str]:
    """Text and encoding: UTF-8 (with or without BOM), else Windows-874 (a superset of TIS-620)."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp874"), "windows-874"
    except UnicodeDecodeError as exc:
        raise ValidationError("ไฟล์ต้องเป็น UTF-8 หรือ Windows-874 (file must be UTF-8 or Windows-874)") from exc


def _tier(fee_code: str, tier_code: str, tiers: dict) -> FeeTier:
    tier = tiers.get((fee_code, tier_code))
    if tier is None:
        raise ValidationError(f"ไม่พบอัตรา {fee_code}:{tier_code} (unknown tier)")
    return tier


def _row_to_payer(row: dict, tiers: dict) -> tuple[dict, list[tuple[FeeTier, Decimal]]]:
    problems = []
    code = (row.get("code") or "").strip().upper()
    name = (row.get("name") or "").strip()
    if not code:
        problems.append("ไม่มีรหัสผู้ชำระ (code missing)")
    elif not code.isascii() or not code.isalnum() or len(code) > 20:
        problems.append("รหัสต้องเป็น A–Z/0–9 ไม่เกิน 20 ตัว (code must be A–Z, 0–9, ≤ 20)")
    if not name:
        problems.append("ไม่มีชื่อ (name missing)")
    kind = KIND_ALIASES.get((row.get("kind") or "household").strip())
    if kind is None:
        problems.append(f"ประเภทไม่ถูกต้อง: {row.get('kind')} (unknown kind)")
    occupancy = OCCUPANCY_ALIASES.get((row.get("occupancy") or "owner").strip())
    if occupancy is None:
        problems.append(f"สถานะไม่ถูกต้อง: {row.get('occupancy')} (unknown occupancy)")
    phone = (row.get("phone") or "").strip()
    if phone:
        normalised = normalize_thai_phone(phone)
        if not normalised:
            problems.append(f"เบอร์โทรไม่ถูกต้อง: {phone} (invalid phone)")
        phone = normalised
    email = (row.get("email") or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(f"อีเมลไม่ถูกต้อง: {email} (invalid e-mail)")
    fees: list[tuple[FeeTier, Decimal]] = []
    for fee_code, column in (("garbage", "garbage_tier"), ("wastewater", "wastewater_tier")):
        value = (row.get(column) or "").strip()
        if not value:
            continue
        try:
            tier = _tier(fee_code, value, tiers)
        except ValidationError as exc:
            problems.extend(exc.messages)
            continue
        quantity = Decimal("1")
        if fee_code == "wastewater" and tier.basis == FeeTier.Basis.PER_CUBIC_METRE:
            try:
                quantity = Decimal((row.get("wastewater_m3") or "").strip())
                if quantity <= 0:
                    raise InvalidOperation
            except InvalidOperation:
                problems.append("ต้องระบุปริมาณน้ำเสีย ลบ.ม./เดือน (wastewater_m3 required for per-m³ tiers)")
                continue
        fees.append((tier, quantity))
    if problems:
        raise ValidationError(problems)
    return {
        "code": code,
        "name": name[:200],
        "kind": kind,
        "house_no": (row.get("house_no") or "").strip()[:40],
        "community": (row.get("community") or "").strip()[:100],
        "address": (row.get("address") or "").strip()[:300],
        "occupancy": occupancy,
        "phone": phone,
        "email": email,
    }, fees


def import_payers(*, data: bytes, by, dry_run: bool = False) -> ImportReport:
    """Upsert payers from a CSV file; returns counts and the errors by row number (header = row 1)."""
    if by is None or not by.has_perm("payments.add_payer"):
        raise PermissionDenied("ไม่มีสิทธิ์นำเข้าผู้ชำระ (you may not import payers)")
    text, encoding = decode(data)
    report = ImportReport(encoding=encoding)
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise ValidationError("ไฟล์ว่าง (empty file)")
    reader.fieldnames = [
        HEADER_ALIASES.get(name.strip().lower(), HEADER_ALIASES.get(name.strip(), name.strip()))
        for name in reader.fieldnames
    ]
    missing = {"code", "name"} - set(reader.fieldnames)
    if missing:
        raise ValidationError(f"ไม่มีคอลัมน์ {', '.join(sorted(missing))} (missing columns)")
    tiers: dict = {}
    for tier in FeeTier.objects.select_related("fee_type").order_by("valid_from"):
        tiers[(tier.fee_type.code, tier.code)] = tier  # the latest version wins
    seen: set[str] = set()
    known = set(Payer.objects.values_list("code", flat=True))
    new: list[tuple[dict, list[tuple[FeeTier, Decimal]]]] = []
    with transaction.atomic():
        for number, row in enumerate(reader, start=2):
            if number > MAX_ROWS + 1:
                report.errors.append((number, f"เกิน {MAX_ROWS} แถว (too many rows)"))
                break
            try:
                fields, fees = _row_to_payer(row, tiers)
                if fields["code"] in seen:
                    raise ValidationError("รหัสซ้ำในไฟล์ (duplicate code in the file)")
                seen.add(fields["code"])
                if fields["code"] not in known:
                    # A new payer is checked now and written with the others below (one COPY).
                    new.append((fields, fees))
                    report.created += 1
                    continue
                with transaction.atomic():
                    payer, created = Payer.objects.update_or_create(code=fields["code"], defaults=fields)
                    for tier, quantity in fees:
                        PayerFee.objects.filter(payer=payer, tier__fee_type=tier.fee_type).exclude(
                            tier=tier
                        ).update(is_active=False)
                        PayerFee.objects.update_or_create(
                            payer=payer, tier=tier, defaults={"quantity": quantity, "is_active": True}
                        )
            except ValidationError as exc:
                report.errors.append((number, "; ".join(exc.messages)))
                continue
            if created:
                report.created += 1
            else:
                report.updated += 1
        _create_payers(new, by=by)
        if dry_run:
            transaction.set_rollback(True)
    return report


def _create_payers(new: list[tuple[dict, list[tuple[FeeTier, Decimal]]]], *, by) -> None:
    """Write the new payers of an import and their fees in bulk (a town's whole ledger of thousands
    at once), with one audit-log "created" row per payer as a row-by-row save would write."""
    if not new:
        return
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from .bulk import copy_insert

    payers = copy_insert(Payer(**fields) for fields, _fees in new)
    copy_insert(
        PayerFee(payer=payer, tier=tier, quantity=quantity)
        for payer, (_fields, fees) in zip(payers, new, strict=True)
        for tier, quantity in fees
    )
    content_type = ContentType.objects.get_for_model(Payer)
    LogEntry.objects.bulk_create(
        LogEntry(
            content_type=content_type,
            object_pk=str(payer.pk),
            object_id=payer.pk,
            object_repr=str(payer)[:200],
            action=LogEntry.Action.CREATE,
            changes={"code": [None, payer.code], "name": [None, payer.name]},
            actor=by,
        )
        for payer in payers
    )
