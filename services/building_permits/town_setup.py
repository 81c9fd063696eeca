"""A new town's building-permit fees: the default rates (one list, read by the migration that seeds
the schema template and by the onboarding wizard) and the hook that applies the town's own."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from services.casework.actions import set_opening_rates

from .case_type import KIND

PERMIT_REG_7 = "กฎกระทรวง ฉบับที่ 7 (พ.ศ. 2528)"
PERMIT_REG_70 = "กฎกระทรวง ฉบับที่ 70 (พ.ศ. 2564)"
RATES = [
    # (fee_code, description, unit, amount, max_floors, max_height, valid_from, valid_to, version)
    ("permit", "ค่าธรรมเนียมใบอนุญาตก่อสร้างอาคาร", "flat", "20.00", None, None,
     dt.date(1985, 1, 1), dt.date(2021, 6, 4), PERMIT_REG_7),
    ("permit", "ค่าธรรมเนียมใบอนุญาตก่อสร้างอาคาร", "flat", "200.00", None, None,
     dt.date(2021, 6, 5), None, PERMIT_REG_70),
    # Plan-check per m² of total floor area; the Act's schedule caps 2 baht (≤3 storeys/15 m) and
    # 4 baht above. The 0.50 band is the commonly cited Reg. 7 rate: towns confirm their figures.
    ("plan_check", "ค่าตรวจแบบแปลน อาคารสูงไม่เกิน 2 ชั้น หรือไม่เกิน 12 เมตร", "per_m2", "0.50", 2, "12.00",
     dt.date(1985, 1, 1), None, PERMIT_REG_7),
    ("plan_check", "ค่าตรวจแบบแปลน อาคารสูงไม่เกิน 3 ชั้น หรือไม่เกิน 15 เมตร", "per_m2", "2.00", 3, "15.00",
     dt.date(1985, 1, 1), None, PERMIT_REG_7),
    ("plan_check", "ค่าตรวจแบบแปลน อาคารสูงเกิน 3 ชั้น หรือเกิน 15 เมตร", "per_m2", "4.00", None, None,
     dt.date(1985, 1, 1), None, PERMIT_REG_7),
]

# Wizard key → the open rate it sets (fee code, storeys band).
WIZARD_RATES = {
    "permit_fee": ("permit", None),
    "plan_check_per_m2_low": ("plan_check", 2),
    "plan_check_per_m2_mid": ("plan_check", 3),
    "plan_check_per_m2_high": ("plan_check", None),
}


def town_defaults() -> dict:
    """What the wizard starts from: the rates in force today in RATES."""
    current = {(code, floors): amount for code, _d, _u, amount, floors, _h, _f, end, _v in RATES if end is None}
    return {key: current[rate] for key, rate in WIZARD_RATES.items()}


def seed_town(settings: dict) -> str:
    amounts = [
        ({"fee_code": code, "max_floors": floors}, Decimal(str(settings[key])))
        for key, (code, floors) in WIZARD_RATES.items()
        if settings.get(key) not in (None, "")
    ]
    changed = set_opening_rates(kind=KIND, amounts=amounts)
    return f"{changed} rates set"
