"""A starting fee catalogue for a new town, to be edited to match the town's own ordinances.

Amounts are examples from real ordinances (domain notes §3), not law: every town enters the rates of
its own ข้อบัญญัติ and the ceiling it applies. The 2559 ministerial ceiling table for household
garbage is unverified, so no cap is filled in here.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from .models import FeeTier, FeeType, PayerKind

# Payments' own fee types: code, Thai name, English, recurring, legal basis. Other services add
# theirs by declaring `payment_fee_types` (the same tuples) on their AppConfig; payments never
# names their fees.
DEFAULT_FEE_TYPES = [
    (
        "garbage",
        "ค่าธรรมเนียมเก็บและขนมูลฝอย",
        "Garbage collection fee",
        True,
        "พ.ร.บ.การสาธารณสุข พ.ศ. 2535 ม.20(4) และข้อบัญญัติท้องถิ่น",
    ),
    (
        "wastewater",
        "ค่าบริการบำบัดน้ำเสีย",
        "Wastewater treatment fee",
        True,
        "พ.ร.บ.ส่งเสริมและรักษาคุณภาพสิ่งแวดล้อมแห่งชาติ พ.ศ. 2535 ม.88–90",
    ),
]


def registered_fee_types() -> list[tuple[str, str, str, bool, str]]:
    """Payments' own fee types, then those each installed app declares (`AppConfig.payment_fee_types`)."""
    from django.apps import apps

    types = list(DEFAULT_FEE_TYPES)
    for config in apps.get_app_configs():
        types.extend(getattr(config, "payment_fee_types", ()))
    return types


# fee code, tier code, Thai name, payer kind, frequency, basis, amount (baht)
DEFAULT_TIERS = [
    ("garbage", "household", "บ้านพักอาศัย ไม่เกิน 20 ลิตร/วัน", PayerKind.HOUSEHOLD, "monthly", "flat", "30.00"),
    ("garbage", "shop", "ร้านค้า ไม่เกิน 100 ลิตร/วัน", PayerKind.SHOP, "monthly", "flat", "80.00"),
    ("garbage", "restaurant", "ร้านอาหาร 100–200 ลิตร/วัน", PayerKind.RESTAURANT, "monthly", "flat", "100.00"),
    ("garbage", "market", "ตลาด 200–400 ลิตร/วัน", PayerKind.MARKET, "monthly", "flat", "200.00"),
    ("garbage", "hotel", "โรงแรม/หอพัก 400–600 ลิตร/วัน", PayerKind.HOTEL, "monthly", "flat", "300.00"),
    (
        "wastewater",
        "household",
        "ประเภทที่ 1 บ้านพักอาศัย (ต่อ ลบ.ม.)",
        PayerKind.HOUSEHOLD,
        "monthly",
        "per_m3",
        "2.00",
    ),
    (
        "wastewater",
        "business",
        "ประเภทที่ 2 สถานประกอบการ (ต่อ ลบ.ม.)",
        PayerKind.SHOP,
        "monthly",
        "per_m3",
        "4.00",
    ),
    (
        "wastewater",
        "large",
        "ประเภทที่ 3 ใช้น้ำเกิน 2,000 ลบ.ม./เดือน (ต่อ ลบ.ม.)",
        PayerKind.FACTORY,
        "monthly",
        "per_m3",
        "8.00",
    ),
]


@transaction.atomic
def install_default_catalogue(*, valid_from: dt.date, rate_version: str = "ตัวอย่าง — แก้ไขตามข้อบัญญัติ") -> int:
    """Create the example fee types and tiers that do not exist yet; returns how many tiers were added."""
    types = {}
    for code, name_th, name_en, recurring, basis in registered_fee_types():
        types[code], _created = FeeType.objects.get_or_create(
            code=code,
            defaults={
                "name_th": name_th,
                "name_en": name_en,
                "is_recurring": recurring,
                "legal_basis": basis,
            },
        )
    added = 0
    for fee_code, code, name_th, kind, frequency, basis, amount in DEFAULT_TIERS:
        _tier, created = FeeTier.objects.get_or_create(
            fee_type=types[fee_code],
            code=code,
            valid_from=valid_from,
            defaults={
                "name_th": name_th,
                "payer_kind": kind,
                "frequency": frequency,
                "basis": basis,
                "amount": Decimal(amount),
                "rate_version": rate_version,
            },
        )
        added += created
    return added
