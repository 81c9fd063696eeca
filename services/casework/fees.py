"""Fee computation from the town's dated rate tables (FeeRate); the version used is kept on each fee."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, QuerySet

from .models import FeeRate

CENT = Decimal("0.01")


@dataclass(frozen=True)
class FeeLine:
    fee_code: str
    description: str
    quantity: Decimal
    unit_price: Decimal

    @property
    def amount(self) -> Decimal:
        return (self.quantity * self.unit_price).quantize(CENT, rounding=ROUND_HALF_UP)

    def as_dict(self) -> dict:
        return {
            "fee_code": self.fee_code,
            "description": self.description,
            "quantity": str(self.quantity),
            "unit_price": str(self.unit_price),
            "amount": str(self.amount),
        }


@dataclass(frozen=True)
class FeeQuote:
    lines: tuple[FeeLine, ...]
    rate_version: str

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))


class NoRateConfigured(LookupError):
    """The town has no rate in force for this fee on that date: staff must set one first."""


def round_area(area: Decimal) -> Decimal:
    """Building Control Act B.E. 2522, fee schedule: a fraction of a square metre of half or more
    counts as a whole unit; less than half is dropped."""
    return Decimal(area).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def rates_in_force(kind: str, fee_code: str, on: dt.date) -> QuerySet[FeeRate]:
    return FeeRate.objects.filter(kind=kind, fee_code=fee_code, valid_from__lte=on).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=on)
    )


def pick_rate(
    kind: str,
    fee_code: str,
    on: dt.date,
    *,
    floors: int | None = None,
    height_m: Decimal | None = None,
    area_m2: Decimal | None = None,
) -> FeeRate:
    """The rate in force on `on` whose band fits; the narrowest band wins, then the newest."""
    candidates = []
    for rate in rates_in_force(kind, fee_code, on):
        if rate.max_floors is not None and floors is not None and floors > rate.max_floors:
            continue
        if rate.max_height_m is not None and height_m is not None and height_m > rate.max_height_m:
            continue
        if rate.min_area_m2 is not None and area_m2 is not None and area_m2 < rate.min_area_m2:
            continue
        if rate.max_area_m2 is not None and area_m2 is not None and area_m2 > rate.max_area_m2:
            continue
        candidates.append(rate)
    if not candidates:
        raise NoRateConfigured(f"no {kind}/{fee_code} rate in force on {on.isoformat()}")
    candidates.sort(
        key=lambda r: (
            r.max_floors if r.max_floors is not None else 10**6,
            r.max_area_m2 if r.max_area_m2 is not None else Decimal(10**9),
            -r.valid_from.toordinal(),
        )
    )
    return candidates[0]
