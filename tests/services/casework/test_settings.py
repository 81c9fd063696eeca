"""Town admins edit their rates (dated), checklist and service settings; nobody else may."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from services.casework import actions
from services.casework.fees import pick_rate
from services.casework.models import DocumentRequirement, FeeRate, ServiceSettings
from tests.factories import make_user
from tests.services.casework import builders as b

pytestmark = pytest.mark.usefixtures("in_town_a")

NEW_RATE = {
    "fee_code": "periodic",
    "description_th": "ข้อบัญญัติใหม่",
    "unit": "flat",
    "amount": Decimal("60.00"),
    "max_floors": None,
    "max_height_m": None,
    "min_area_m2": Decimal("20.01"),
    "max_area_m2": Decimal("100.00"),
    "valid_from": dt.date(2027, 1, 1),
    "version": "ข้อบัญญัติ พ.ศ. 2570",
}


def test_a_new_dated_rate_ends_the_old_one_the_day_before():
    admin = make_user(roles=("town_admin",))
    actions.add_fee_rate(kind="food_notification", by=admin, values=NEW_RATE)
    old = FeeRate.objects.get(
        kind="food_notification", max_area_m2=Decimal("100.00"), valid_from__lt=dt.date(2027, 1, 1)
    )
    assert old.valid_to == dt.date(2026, 12, 31)
    assert pick_rate("food_notification", "periodic", dt.date(2026, 12, 31), area_m2=Decimal(50)).amount == 50
    assert pick_rate("food_notification", "periodic", dt.date(2027, 1, 1), area_m2=Decimal(50)).amount == 60
    with pytest.raises(ValidationError):
        actions.add_fee_rate(
            kind="food_notification", by=admin, values={**NEW_RATE, "valid_from": dt.date(2026, 6, 1)}
        )


def test_only_town_admins_edit_settings():
    with pytest.raises(PermissionDenied):
        actions.add_fee_rate(kind="food_notification", by=b.health_officer(), values=NEW_RATE)
    with pytest.raises(PermissionDenied):
        actions.save_service_settings(kind="food_notification", by=b.executive(), values={"fee_due_days": 10})


def test_settings_page_saves_and_refuses_bad_values(client_a, in_town_a):
    admin = make_user(roles=("town_admin",))
    client = b.TownClient(client_a, in_town_a)
    client.force_login(admin)
    assert client.get("/food/staff/settings/").status_code == 200
    form = {
        "section": "settings",
        "s-fee_period_months": "5",
        "s-fee_due_days": "30",
        "s-reminder_days": "10",
        "s-suspend_after_unpaid_periods": "3",
        "s-warn_days_before_due": "2",
        "s-max_upload_mb": "10",
    }
    page = client.post("/food/staff/settings/", form).content.decode()
    assert "1, 2, 3, 4, 6" in page
    client.post("/food/staff/settings/", {**form, "s-fee_period_months": "6"})
    assert ServiceSettings.objects.get(kind="food_notification").fee_period_months == 6
    requirement = DocumentRequirement.objects.get(kind="food_notification", code="premises_photos")
    client.post("/food/staff/settings/", {"section": "toggle", "requirement": requirement.pk, "active": "0"})
    requirement.refresh_from_db()
    assert not requirement.is_active
    client.force_login(b.health_officer())
    assert client.get("/food/staff/settings/").status_code == 403
