"""The building permit's rules on the shared journey: clock, fee, certificate, checklist conditions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _

from services.casework.fees import FeeLine, FeeQuote, pick_rate, round_area
from services.casework.models import Case, CaseKind, DeadlineRule, DocumentRequirement
from services.casework.registry import CaseType

from .workflow import TRANSITIONS

KIND = CaseKind.BUILDING_PERMIT
# Building Control Act B.E. 2522 s.25: decide within 45 days of a complete application; extendable
# at most twice, 45 days each, with written notice and reasons before the period ends.
CONSIDERATION_DAYS = 45
MAX_EXTENSIONS = 2
EXTENSION_DAYS = 45
# s.27: after the applicant makes the corrections the official ordered, the permit within 30 days.
CORRECTIONS_DAYS = 30


def compute_fee(case: Case, on: dt.date) -> FeeQuote:
    """Permit fee plus plan-check fee on the total floor area, from the rates in force on `on`.

    Act's fee schedule: the plan-check fee is per m² of the total floor area of all floors, banded
    by storeys/height; a fraction of half a m² or more counts as one, less is dropped.
    """
    detail = case.building_permit
    area = round_area(detail.floor_area_m2)
    permit = pick_rate(KIND, "permit", on)
    plan_check = pick_rate(KIND, "plan_check", on, floors=detail.floors, height_m=detail.height_m)
    lines = (
        FeeLine("permit", permit.description_th, Decimal("1"), permit.amount),
        FeeLine("plan_check", f"{plan_check.description_th} ({area} ตร.ม.)", area, plan_check.amount),
    )
    versions = dict.fromkeys(r.version for r in (permit, plan_check))
    return FeeQuote(lines=lines, rate_version="; ".join(versions))


def public_summary(case: Case) -> dict:
    """What the public register shows: place and building, never the owner's name or ID."""
    detail = case.building_permit
    return {
        "location": case.address,
        "latitude": str(case.latitude),
        "longitude": str(case.longitude),
        "name": detail.get_building_use_display(),
        "floors": detail.floors,
        "floor_area_m2": str(detail.floor_area_m2),
        "parcel": f"{detail.get_deed_type_display()} {detail.deed_number}",
    }


def requirement_applies(case: Case, requirement: DocumentRequirement) -> bool:
    detail = getattr(case, "building_permit", None)
    if detail is None or not requirement.condition:
        return True
    if requirement.condition == "not_owner":
        return not detail.applicant_is_owner
    if requirement.condition == "own_plans":
        return detail.plan_source == "own"
    return True


BUILDING_PERMIT = CaseType(
    kind=KIND,
    app_label="building_permits",
    label_th="คำขออนุญาตก่อสร้างอาคาร",
    label_en="Building permit application",
    certificate_label_th="ใบอนุญาตก่อสร้างอาคาร",
    tracking_prefix="BP",
    certificate_series="building_permit",
    transitions=TRANSITIONS,
    intake_roles=("building_engineer",),
    view_permission="building_permits.view_permit_cases",
    clock_starts_on="accepted",
    review_days=CONSIDERATION_DAYS,
    review_rule=DeadlineRule.CALENDAR_DAYS,
    fix_days=None,
    corrections_days=CORRECTIONS_DAYS,
    max_extensions=MAX_EXTENSIONS,
    extension_days=EXTENSION_DAYS,
    certificate_template="building_permits/permit_pdf.html",
    legal_basis=_("พ.ร.บ.ควบคุมอาคาร พ.ศ. 2522 มาตรา 21 และ 25"),
    compute_issue_fee=compute_fee,
    public_summary=public_summary,
    requirement_applies=requirement_applies,
    detail_name="building_permit",
)
