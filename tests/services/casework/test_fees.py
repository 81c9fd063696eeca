import datetime as dt
from decimal import Decimal

import pytest

from services.casework.fees import NoRateConfigured, pick_rate, round_area
from services.casework.models import FeeRate

pytestmark = pytest.mark.usefixtures("in_town_a")


@pytest.mark.parametrize(
    ("area", "rounded"), [("120.4", "120"), ("120.5", "121"), ("0.49", "0"), ("149.99", "150")]
)
def test_area_fractions_of_half_or_more_count_as_a_whole_square_metre(area, rounded):
    assert round_area(Decimal(area)) == Decimal(rounded)


def test_plan_check_band_follows_floors_and_height():
    on = dt.date(2026, 11, 25)
    assert pick_rate("building_permit", "plan_check", on, floors=1, height_m=Decimal("5")).amount == Decimal(
        "0.50"
    )
    assert pick_rate("building_permit", "plan_check", on, floors=3, height_m=Decimal("11")).amount == Decimal(
        "2.00"
    )
    assert pick_rate("building_permit", "plan_check", on, floors=2, height_m=Decimal("13")).amount == Decimal(
        "2.00"
    )


def test_the_rate_in_force_on_the_date_is_used():
    assert pick_rate("building_permit", "permit", dt.date(2020, 1, 1)).amount == Decimal("20.00")
    assert pick_rate("building_permit", "permit", dt.date(2026, 1, 1)).amount == Decimal("200.00")


def test_a_town_edit_with_a_new_dated_rate_takes_over_from_its_start():
    FeeRate.objects.filter(kind="food_notification", max_area_m2=Decimal("100.00")).update(
        valid_to=dt.date(2026, 12, 31)
    )
    FeeRate.objects.create(
        kind="food_notification",
        fee_code="periodic",
        description_th="ใหม่",
        unit="flat",
        amount=Decimal("80.00"),
        min_area_m2=Decimal("20.01"),
        max_area_m2=Decimal("100.00"),
        valid_from=dt.date(2027, 1, 1),
        version="ข้อบัญญัติ 2570",
    )
    assert pick_rate("food_notification", "periodic", dt.date(2026, 6, 1), area_m2=Decimal("48")).amount == 50
    assert (
        pick_rate("food_notification", "periodic", dt.date(2027, 6, 1), area_m2=Decimal("48")).version
        == "ข้อบัญญัติ 2570"
    )


def test_no_rate_in_force_is_a_clear_error():
    FeeRate.objects.filter(kind="building_permit", fee_code="permit").delete()
    with pytest.raises(NoRateConfigured):
        pick_rate("building_permit", "permit", dt.date(2026, 1, 1))
