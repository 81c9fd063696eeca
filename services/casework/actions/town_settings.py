"""The town's own settings of a case kind: dated fee rates, service settings, the document checklist."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import (
    DocumentRequirement,
    FeeRate,
    ServiceSettings,
)


def require_town_admin(by) -> None:
    if not by.has_perm("casework.change_feerate"):
        raise PermissionDenied(_("เฉพาะผู้ดูแลระบบของเทศบาล (Town admins only)"))


@transaction.atomic
def add_fee_rate(*, kind: str, by, values: dict) -> FeeRate:
    """A new dated rate (e.g. a new ordinance); the rate it replaces (same fee and band, still open)
    ends the day before, so exactly one rate is in force on any date and old fees keep their version."""
    require_town_admin(by)
    band = {name: values.get(name) for name in ("max_floors", "max_height_m", "min_area_m2", "max_area_m2")}
    for previous in FeeRate.objects.select_for_update().filter(
        kind=kind, fee_code=values["fee_code"], valid_to__isnull=True, **band
    ):
        if previous.valid_from >= values["valid_from"]:
            raise ValidationError(
                _("มีอัตราที่เริ่มใช้ในวันเดียวกันหรือภายหลังอยู่แล้ว (A rate starting on or after that date already exists)")
            )
        previous.valid_to = values["valid_from"] - dt.timedelta(days=1)
        previous.save(update_fields=["valid_to"])
    rate = FeeRate(kind=kind, **values)
    rate.full_clean()
    rate.save()
    return rate


@transaction.atomic
def save_service_settings(*, kind: str, by, values: dict) -> ServiceSettings:
    require_town_admin(by)
    settings_row = ServiceSettings.objects.select_for_update().get_or_create(kind=kind)[0]
    for name, value in values.items():
        setattr(settings_row, name, value)
    settings_row.full_clean()
    settings_row.save()
    return settings_row


@transaction.atomic
def save_requirement(*, kind: str, by, values: dict, requirement_id: int | None = None) -> DocumentRequirement:
    """Add a checklist line, or change one (code and condition stay)."""
    require_town_admin(by)
    if requirement_id is None:
        requirement = DocumentRequirement(kind=kind)
    else:
        requirement = DocumentRequirement.objects.select_for_update().get(pk=requirement_id, kind=kind)
        values = {k: v for k, v in values.items() if k != "code"}
    for name, value in values.items():
        setattr(requirement, name, value)
    requirement.full_clean()
    requirement.save()
    return requirement


@transaction.atomic
def set_requirement_active(*, requirement_id: int, by, active: bool) -> DocumentRequirement:
    require_town_admin(by)
    requirement = DocumentRequirement.objects.select_for_update().get(pk=requirement_id)
    requirement.is_active = active
    requirement.save(update_fields=["is_active"])
    return requirement


OPENING_RATE_VERSION = "อัตราที่หน่วยงานตั้งเมื่อเปิดระบบ"


@transaction.atomic
def set_opening_rates(*, kind: str, amounts: list[tuple[dict, Decimal]]) -> int:
    """Provisioning only: the rates a new town set in the onboarding wizard replace the open default
    rate of each (fee code, band) in place — no fee has been quoted yet, so no version is lost.
    `amounts` pairs a filter on the rate (fee_code and band limits) with the amount. Returns how many
    rates changed; running it twice changes nothing."""
    changed = 0
    for match, amount in amounts:
        for rate in FeeRate.objects.select_for_update().filter(kind=kind, valid_to__isnull=True, **match):
            if rate.amount != amount:
                rate.amount = amount
                rate.version = OPENING_RATE_VERSION
                rate.save(update_fields=["amount", "version"])
                changed += 1
    return changed


@transaction.atomic
def set_late_surcharge(*, kind: str, percent: Decimal) -> ServiceSettings:
    """Provisioning: the late-payment surcharge the town set in the wizard."""
    settings_row = ServiceSettings.objects.select_for_update().get_or_create(kind=kind)[0]
    settings_row.late_surcharge_percent = percent
    settings_row.full_clean()
    settings_row.save(update_fields=["late_surcharge_percent"])
    return settings_row
