"""A new town's food-premises fees: the default certificate fee bands (one list, read by the migration
that seeds the schema template and by the onboarding wizard), the statutory late surcharge, and the
hook that applies the town's own values."""

from __future__ import annotations

from decimal import Decimal

from services.casework.actions import set_late_surcharge, set_opening_rates

from .case_type import KIND

# Public Health Act B.E. 2535 s.65 (domain-sources.md): a fee paid late carries a 20 % surcharge.
LATE_SURCHARGE_PERCENT = Decimal("20")

# Ordinance fees differ per town; these bands are a starting point to be replaced by the town's own.
VERSION = "อัตราเริ่มต้นของระบบ (แก้ไขตามข้อบัญญัติท้องถิ่น)"
RATES = [
    # (description, amount, min area m², max area m²)
    ("ค่าธรรมเนียมหนังสือรับรองการแจ้ง พื้นที่ไม่เกิน 20 ตร.ม.", "20.00", None, "20.00"),
    ("ค่าธรรมเนียมหนังสือรับรองการแจ้ง พื้นที่เกิน 20 ถึง 100 ตร.ม.", "50.00", "20.01", "100.00"),
    ("ค่าธรรมเนียมหนังสือรับรองการแจ้ง พื้นที่เกิน 100 ถึง 200 ตร.ม.", "100.00", "100.01", "200.00"),
]

# Wizard key → the band (largest area) of the yearly certificate fee it sets.
WIZARD_BANDS = {
    "certificate_fee_upto_20m2": "20.00",
    "certificate_fee_upto_100m2": "100.00",
    "certificate_fee_upto_200m2": "200.00",
}


def town_defaults() -> dict:
    """What the wizard starts from: the bands in RATES and the statutory surcharge."""
    by_band = {high: amount for _d, amount, _low, high in RATES}
    defaults = {key: by_band[band] for key, band in WIZARD_BANDS.items()}
    defaults["late_surcharge_percent"] = str(LATE_SURCHARGE_PERCENT)
    return defaults


def seed_town(settings: dict) -> str:
    amounts = [
        ({"fee_code": "periodic", "max_area_m2": Decimal(band)}, Decimal(str(settings[key])))
        for key, band in WIZARD_BANDS.items()
        if settings.get(key) not in (None, "")
    ]
    changed = set_opening_rates(kind=KIND, amounts=amounts)
    percent = settings.get("late_surcharge_percent")
    if percent not in (None, ""):
        set_late_surcharge(kind=KIND, percent=Decimal(str(percent)))
    return f"{changed} rates set, surcharge {percent or LATE_SURCHARGE_PERCENT} %"


def late_surcharge_percent(settings_row) -> Decimal:
    """The town's surcharge for a late fee: its own setting, else the statutory rate."""
    percent = settings_row.late_surcharge_percent
    return LATE_SURCHARGE_PERCENT if percent is None else percent
