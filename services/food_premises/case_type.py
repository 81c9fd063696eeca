"""The food premises notification's rules on the shared journey."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _

from services.casework.actions.common import settings_for
from services.casework.fees import FeeLine, FeeQuote, pick_rate
from services.casework.models import Case, CaseKind, DeadlineRule, DocumentRequirement
from services.casework.registry import CaseType

from .workflow import TRANSITIONS

KIND = CaseKind.FOOD_NOTIFICATION
# Public Health Act B.E. 2535 s.48: certificate within 7 working days of a correct notification;
# an incorrect one is returned and the notifier has 7 working days to fix it.
CERTIFICATE_WORKING_DAYS = 7
FIX_WORKING_DAYS = 7


def fee_period(day: dt.date, months: int) -> tuple[str, dt.date]:
    """(label, first day) of the fee period containing `day`; periods run from the fiscal year's
    start (1 October) in blocks of `months` (12 = yearly, labelled by the BE fiscal year)."""
    from services.common.buddhist_era import fiscal_year, fiscal_year_bounds

    fiscal = fiscal_year(day)
    start, _end = fiscal_year_bounds(fiscal)
    months = months if months in (1, 2, 3, 4, 6, 12) else 12
    elapsed = (day.year - start.year) * 12 + day.month - start.month
    index = elapsed // months
    month0 = start.month - 1 + index * months
    first = dt.date(start.year + month0 // 12, month0 % 12 + 1, 1)
    label = str(fiscal) if months == 12 else f"{fiscal}-{index + 1}"
    return label, first


def fee_period_label(day: dt.date) -> str:
    return fee_period(day, settings_for(KIND).fee_period_months)[0]


def compute_fee(case: Case, on: dt.date) -> FeeQuote:
    """The ordinance fee of one period, by the premises' area band (town-editable rate table)."""
    detail = case.food_notification
    rate = pick_rate(KIND, "periodic", on, area_m2=detail.area_m2)
    line = FeeLine("periodic", f"{rate.description_th} ({fee_period_label(on)})", Decimal("1"), rate.amount)
    return FeeQuote(lines=(line,), rate_version=rate.version)


def public_summary(case: Case) -> dict:
    """Premises name, kind and place: the business is public, the person behind it is not."""
    detail = case.food_notification
    return {
        "name": detail.premises_name,
        "location": case.address,
        "kind": detail.get_business_kind_display(),
        "area_m2": str(detail.area_m2),
        "latitude": str(case.latitude),
        "longitude": str(case.longitude),
    }


def requirement_applies(case: Case, requirement: DocumentRequirement) -> bool:
    detail = getattr(case, "food_notification", None)
    if detail is None or not requirement.condition:
        return True
    if requirement.condition == "company":
        return detail.operator_type == "company"
    return True


FOOD_NOTIFICATION = CaseType(
    kind=KIND,
    app_label="food_premises",
    label_th="การแจ้งจัดตั้งสถานที่จำหน่าย/สะสมอาหาร",
    label_en="Food premises notification",
    certificate_label_th="หนังสือรับรองการแจ้ง",
    tracking_prefix="FD",
    certificate_series="food_notification",
    transitions=TRANSITIONS,
    intake_roles=("public_health_officer",),
    view_permission="food_premises.view_food_cases",
    clock_starts_on="submitted",
    review_days=CERTIFICATE_WORKING_DAYS,
    review_rule=DeadlineRule.WORKING_DAYS,
    fix_days=FIX_WORKING_DAYS,
    fix_rule=DeadlineRule.WORKING_DAYS,
    certificate_template="food_premises/certificate_pdf.html",
    legal_basis=_("พ.ร.บ.การสาธารณสุข พ.ศ. 2535 มาตรา 38 และ 48"),
    compute_issue_fee=compute_fee,
    public_summary=public_summary,
    requirement_applies=requirement_applies,
    detail_name="food_notification",
    fee_period_label=fee_period_label,
)
