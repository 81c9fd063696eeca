"""Is a pin inside the town? The boundary is the town's GeoJSON (WGS 84, lon/lat order)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tenants.boundaries import covers


def parse_coordinate(value, *, low: int, high: int, name: str) -> Decimal:
    """A decimal degree in [low, high]; refuses text, NaN and infinities with a field error."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, TypeError, ValueError):
        number = None
    if number is None or not number.is_finite() or not (low <= number <= high):
        raise ValidationError(
            {name: _("พิกัดต้องเป็นตัวเลของศา (Coordinates must be decimal degrees)")}, code="invalid_coordinate"
        )
    return number.quantize(Decimal("0.000001"))


def is_inside_boundary(boundary: dict | None, latitude: Decimal, longitude: Decimal) -> bool:
    """True when the point is inside (or on the edge of) the boundary; no boundary accepts all."""
    if not boundary:
        return True
    return covers(boundary, latitude, longitude)


def require_inside_boundary(town, latitude: Decimal, longitude: Decimal) -> None:
    if not is_inside_boundary(getattr(town, "boundary", None), latitude, longitude):
        raise ValidationError(
            {
                "location": _(
                    "ตำแหน่งที่ปักหมุดอยู่นอกเขตพื้นที่ของ%(town)s กรุณาปักหมุดภายในเส้นขอบเขต "
                    "(The pin is outside the town's boundary)"
                )
                % {"town": town.name_th}
            },
            code="outside_boundary",
        )
