"""Food premises notifications: the s.48 journey, the periodic fee (s.65) and changes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from services.casework import actions
from services.casework.models import Case, CaseFee, CaseStatus, Certificate, ServiceSettings
from services.casework.working_days import add_working_days
from services.food_premises import actions as food_actions
from services.food_premises.case_type import fee_period
from tests.services.casework import builders as b

pytestmark = pytest.mark.usefixtures("in_town_a")


def issued_food(**overrides) -> Certificate:
    case = b.submitted_food(**overrides)
    officer = b.health_officer()
    actions.accept_case(case_id=case.pk, by=officer)
    actions.record_inspection(
        case_id=case.pk,
        by=officer,
        result="pass",
        checklist=[{"code": "pests", "ok": True}],
        photos=[b.jpeg("kitchen.jpg")],
    )
    actions.approve_case(case_id=case.pk, by=officer)
    return b.pay_and_issue(Case.objects.get(pk=case.pk))


def test_premises_over_200_square_metres_are_pointed_to_a_licence():
    applicant = b.citizen()
    with pytest.raises(ValidationError) as error:
        food_actions.save_notification_draft(by=applicant, data=b.food_data(area_m2="200.5"))
    assert "ใบอนุญาต" in error.value.message_dict["area_m2"][0]
    assert not Case.objects.filter(applicant=applicant).exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("operator_id", "1101700203452"),
        ("staff_count", 0),
        ("seats", -1),
        ("latitude", "12.900000"),
        ("business_kind", "bar"),
        ("premises_name", ""),
    ],
)
def test_bad_notification_input_is_refused(field, value):
    with pytest.raises(ValidationError) as error:
        food_actions.save_notification_draft(by=b.citizen(), data=b.food_data(**{field: value}))
    assert field in error.value.message_dict


def test_company_operators_must_attach_their_registration():
    applicant = b.citizen()
    case = food_actions.save_notification_draft(
        by=applicant,
        data=b.food_data(
            operator_type="company", operator_name="บริษัท อร่อย จำกัด", operator_id="0994000158041"
        ),
    )
    assert "company_certificate" in {r.code for r in actions.missing_requirements(case)}


def test_receipt_at_once_and_certificate_due_in_7_working_days():
    case = b.submitted_food()
    # Public Health Act s.48: the receipt at once, the certificate within 7 working days.
    assert case.status == CaseStatus.SUBMITTED
    assert case.tracking_code.startswith("ALP-FD-")
    assert case.due_date == add_working_days(actions.today(), 7)
    assert case.due_rule == "working"


def test_incomplete_notification_gets_fixes_and_a_new_clock_after_resubmission():
    case = b.submitted_food()
    actions.return_for_fixes(case_id=case.pk, by=b.health_officer(), items=[{"text": "ภาพถ่ายไม่ชัด"}])
    case.refresh_from_db()
    assert case.due_date is None
    assert case.applicant_due_date == add_working_days(actions.today(), 7)
    actions.submit_case(case_id=case.pk, by=case.applicant)
    case.refresh_from_db()
    assert case.due_date == add_working_days(actions.today(), 7)


def test_the_public_health_officer_reviews_and_a_building_engineer_may_not():
    case = b.submitted_food()
    with pytest.raises(PermissionDenied):
        actions.accept_case(case_id=case.pk, by=b.engineer())


def test_issued_certificate_has_no_expiry_and_the_first_period_is_paid():
    certificate = issued_food()
    assert certificate.valid_until is None
    fee = certificate.case.fees.get()
    assert fee.amount == Decimal("50.00")  # 48 m² band of the default table
    assert fee.period_label == fee_period(actions.today(), 12)[0]
    assert certificate.case.inspections.get().photos.count() == 1


def test_fee_cycle_bills_reminds_surcharges_and_suspends_then_payment_reinstates():
    certificate = issued_food()
    case = certificate.case
    next_fiscal_start = fee_period(actions.today(), 12)[1].replace(
        year=fee_period(actions.today(), 12)[1].year + 1
    )
    counts = food_actions.run_fee_cycle(next_fiscal_start + dt.timedelta(days=20))
    assert counts["billed"] == 1
    assert counts["reminded"] == 1
    fee = case.fees.get(purpose="periodic")
    assert fee.due_date == next_fiscal_start + dt.timedelta(days=30)
    assert fee.invoice_reference
    assert food_actions.run_fee_cycle(next_fiscal_start + dt.timedelta(days=21)) == {
        "billed": 0,
        "reminded": 0,
        "surcharged": 0,
        "suspended": 0,
    }
    counts = food_actions.run_fee_cycle(next_fiscal_start + dt.timedelta(days=35))
    surcharge = case.fees.get(purpose="surcharge")
    assert counts["surcharged"] == 1
    assert surcharge.amount == Decimal("10.00")
    # Unpaid for three periods in a row (the default; s.65 "more than two") → stop order.
    for years in (1, 2):
        food_actions.run_fee_cycle(
            next_fiscal_start.replace(year=next_fiscal_start.year + years) + dt.timedelta(days=35)
        )
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.SUSPENDED
    assert "มาตรา 65" in certificate.status_reason
    for due in case.fees.filter(status=CaseFee.Status.DUE):
        actions.record_fee_paid(fee_public_id=due.public_id)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID


def test_town_sets_a_shorter_period():
    ServiceSettings.objects.filter(kind="food_notification").update(fee_period_months=6)
    assert fee_period(dt.date(2027, 3, 15), 6) == ("2570-1", dt.date(2026, 10, 1))
    assert fee_period(dt.date(2027, 4, 1), 6) == ("2570-2", dt.date(2027, 4, 1))


def test_change_of_operator_updates_the_certificate():
    certificate = issued_food()
    notice = food_actions.request_change(
        certificate_id=certificate.pk,
        by=certificate.case.applicant,
        kind="operator",
        new_operator_name="นายใหม่ เจ้าของร้าน",
        new_operator_id=b.OTHER_VALID_ID,
    )
    with pytest.raises(PermissionDenied):
        food_actions.decide_change(notice_id=notice.pk, by=b.engineer(), approve=True)
    food_actions.decide_change(notice_id=notice.pk, by=b.health_officer(), approve=True)
    certificate.refresh_from_db()
    assert certificate.holder_name == "นายใหม่ เจ้าของร้าน"
    assert certificate.case.food_notification.operator_id == b.OTHER_VALID_ID
    with pytest.raises(ValidationError):
        food_actions.request_change(
            certificate_id=certificate.pk, by=certificate.case.applicant, kind="premises", new_area_m2="250"
        )
