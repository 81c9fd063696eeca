"""A starting fee catalogue for a new town, to be edited to match the town's own ordinances.

Amounts are examples from real ordinances (domain notes §3), not law: every town enters the rates of
its own ข้อบัญญัติ and the ceiling it applies. The 2559 ministerial ceiling table for household
garbage is unverified, so no cap is filled in here.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from services.common.buddhist_era import fiscal_year, fiscal_year_bounds

from .models import FeeTier, FeeType, PayerKind, PaymentSettings

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


# The rates a town sets in the onboarding wizard: wizard key → (fee code, tier code) above.
WIZARD_TIERS = {
    "garbage_household_monthly": ("garbage", "household"),
    "garbage_shop_monthly": ("garbage", "shop"),
    "wastewater_per_m3": ("wastewater", "household"),
}
OPENING_RATE_VERSION = "อัตราที่ตั้งเมื่อเปิดระบบ — แก้ไขตามข้อบัญญัติ"


def town_defaults() -> dict:
    """What the wizard starts from: the catalogue's own amounts (one source), no biller yet."""
    amounts = {(fee, code): amount for fee, code, _th, _kind, _freq, _basis, amount in DEFAULT_TIERS}
    defaults: dict = {key: amounts[tier] for key, tier in WIZARD_TIERS.items()}
    defaults["promptpay_biller_id"] = ""
    return defaults


@transaction.atomic
def install_default_catalogue(
    *,
    valid_from: dt.date,
    rate_version: str = "ตัวอย่าง — แก้ไขตามข้อบัญญัติ",
    amounts: dict[tuple[str, str], Decimal] | None = None,
) -> int:
    """Create the example fee types and tiers that do not exist yet (a tier exists when its fee type
    has a tier of that code, whatever its dates); `amounts` replaces the example amount of a
    (fee code, tier code). Returns how many tiers were added."""
    amounts = amounts or {}
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
    existing = set(FeeTier.objects.values_list("fee_type__code", "code"))
    new = [
        FeeTier(
            fee_type=types[fee_code],
            code=code,
            valid_from=valid_from,
            name_th=name_th,
            payer_kind=kind,
            frequency=frequency,
            basis=basis,
            amount=Decimal(amounts.get((fee_code, code), amount)),
            rate_version=rate_version,
        )
        for fee_code, code, name_th, kind, frequency, basis, amount in DEFAULT_TIERS
        if (fee_code, code) not in existing
    ]
    for tier in new:
        tier.save()  # one by one: the audit log records each tier the town starts with
    return len(new)


def seed_town(settings: dict) -> str:
    """A new town's fee catalogue at the rates set in the wizard, in force from the start of the
    current fiscal year, and its payment settings row. The biller ID is on the town's own row
    (Municipality.promptpay_biller_id, written when the town is registered)."""
    today = timezone.localdate()
    start, _end = fiscal_year_bounds(fiscal_year(today))
    amounts = {tier: Decimal(str(settings[key])) for key, tier in WIZARD_TIERS.items() if settings.get(key)}
    added = install_default_catalogue(valid_from=start, rate_version=OPENING_RATE_VERSION, amounts=amounts)
    PaymentSettings.current()
    return f"{added} fee tiers"
