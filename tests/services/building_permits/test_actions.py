"""The building permit journey through its actions, against the real town schema."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from services.building_permits import actions as permit_actions
from services.building_permits.models import BuildingPermitApplication, PermitRequest
from services.casework import actions
from services.casework.models import Case, CaseFee, CaseStatus, Certificate
from services.common.models import OutboxMessage
from services.common.workflow import TransitionNotAllowed
from tests.services.casework import builders as b

pytestmark = pytest.mark.usefixtures("in_town_a")


def test_application_over_150_square_metres_is_refused_with_a_pointer_to_the_regular_process():
    applicant = b.citizen()
    with pytest.raises(ValidationError) as error:
        permit_actions.save_application_draft(by=applicant, data=b.permit_data(floor_area_m2="150.01"))
    assert "150" in error.value.message_dict["floor_area_m2"][0]
    assert "ขั้นตอนปกติ" in error.value.message_dict["floor_area_m2"][0]
    assert not Case.objects.filter(applicant=applicant).exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("floors", 4),
        ("floors", 0),
        ("height_m", "15.5"),
        ("floor_area_m2", "0"),
        ("applicant_national_id", "1101700203452"),
        ("latitude", "12.820000"),
        ("deed_number", ""),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(field, value):
    applicant = b.citizen()
    with pytest.raises(ValidationError) as error:
        permit_actions.save_application_draft(by=applicant, data=b.permit_data(**{field: value}))
    assert field in error.value.message_dict
    assert not Case.objects.filter(applicant=applicant).exists()
    assert not BuildingPermitApplication.objects.filter(case__applicant=applicant).exists()


def test_pin_outside_the_town_boundary_is_refused_with_a_clear_message():
    with pytest.raises(ValidationError) as error:
        permit_actions.save_application_draft(by=b.citizen(), data=b.permit_data(**b.OUTSIDE))
    assert "นอกเขต" in error.value.message_dict["latitude"][0]


def test_own_plans_need_a_licensed_engineer():
    # Building Control Act s.26
    with pytest.raises(ValidationError) as error:
        permit_actions.save_application_draft(by=b.citizen(), data=b.permit_data(engineer_licence=""))
    assert "engineer_licence" in error.value.message_dict


def test_submitting_without_required_documents_is_refused():
    applicant = b.citizen()
    case = permit_actions.save_application_draft(by=applicant, data=b.permit_data())
    with pytest.raises(ValidationError) as error:
        actions.submit_case(case_id=case.pk, by=applicant)
    assert error.value.code == "documents_missing"
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT
    assert case.tracking_code == ""


def test_owner_consent_is_required_only_when_the_applicant_is_not_the_owner():
    applicant = b.citizen()
    owner_case = permit_actions.save_application_draft(by=applicant, data=b.permit_data())
    other_case = permit_actions.save_application_draft(
        by=applicant,
        data=b.permit_data(
            applicant_is_owner=False, owner_name="นางที่ดิน มีมาก", owner_national_id=b.OTHER_VALID_ID
        ),
    )
    assert "owner_consent" not in {r.code for r in actions.missing_requirements(owner_case)}
    assert "owner_consent" in {r.code for r in actions.missing_requirements(other_case)}


def test_uploads_must_really_be_pdf_or_jpeg_and_within_the_size_limit():
    from django.core.files.uploadedfile import SimpleUploadedFile

    applicant = b.citizen()
    case = permit_actions.save_application_draft(by=applicant, data=b.permit_data())
    deed = b.requirement("building_permit", "title_deed")
    fake = SimpleUploadedFile("deed.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError) as error:
        actions.attach_document(case_id=case.pk, requirement_id=deed.pk, upload=fake, by=applicant)
    assert error.value.code == "file_type"
    big = SimpleUploadedFile(
        "deed.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 + 1), content_type="application/pdf"
    )
    with pytest.raises(ValidationError) as error:
        actions.attach_document(case_id=case.pk, requirement_id=deed.pk, upload=big, by=applicant)
    assert error.value.code == "file_too_large"
    assert not case.documents.exists()


def test_a_new_upload_supersedes_the_old_one_and_history_is_kept():
    applicant = b.citizen()
    case = permit_actions.save_application_draft(by=applicant, data=b.permit_data())
    deed = b.requirement("building_permit", "title_deed")
    actions.attach_document(case_id=case.pk, requirement_id=deed.pk, upload=b.pdf("v1.pdf"), by=applicant)
    actions.attach_document(case_id=case.pk, requirement_id=deed.pk, upload=b.jpeg("v2.jpg"), by=applicant)
    assert list(
        case.documents.filter(requirement=deed).order_by("pk").values_list("is_superseded", flat=True)
    ) == [True, False]


def test_only_the_applicant_may_file_or_attach():
    case = permit_actions.save_application_draft(by=b.citizen(), data=b.permit_data())
    stranger = b.citizen()
    with pytest.raises(PermissionDenied):
        actions.submit_case(case_id=case.pk, by=stranger)
    with pytest.raises(PermissionDenied):
        actions.attach_document(case_id=case.pk, requirement_id=None, upload=b.pdf(), by=stranger)


def test_submission_gives_a_tracking_code_and_notifies_the_applicant():
    case = b.submitted_permit()
    assert case.status == CaseStatus.SUBMITTED
    assert case.tracking_code.startswith("ALP-BP-25")
    assert case.due_date is None  # s.25 counts from a complete application, not from filing
    assert OutboxMessage.objects.filter(recipient="somchai@example.org").exists()


def test_returned_application_is_fixed_and_resubmitted_with_history_kept():
    case = b.submitted_permit()
    eng = b.engineer()
    actions.return_for_fixes(case_id=case.pk, by=eng, items=[{"text": "สำเนาโฉนดไม่ชัด"}])
    case.refresh_from_db()
    assert case.status == CaseStatus.RETURNED
    deed = b.requirement("building_permit", "title_deed")
    actions.attach_document(
        case_id=case.pk, requirement_id=deed.pk, upload=b.pdf("clear.pdf"), by=case.applicant
    )
    actions.submit_case(case_id=case.pk, by=case.applicant, reply="แนบฉบับชัดแล้ว")
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    deficiency = case.deficiencies.get()
    assert deficiency.resolved_at is not None
    assert deficiency.applicant_reply == "แนบฉบับชัดแล้ว"
    statuses = list(case.events.filter(kind="status").values_list("to_status", flat=True))
    assert statuses == ["submitted", "returned", "submitted"]


def test_accepting_a_complete_application_starts_the_45_day_clock():
    case = b.submitted_permit()
    actions.accept_case(case_id=case.pk, by=b.engineer())
    case.refresh_from_db()
    # Building Control Act s.25: 45 days from the complete application.
    assert case.due_date == actions.today() + dt.timedelta(days=45)
    assert case.completed_at is not None


def test_a_decision_on_an_incomplete_case_is_refused():
    case = b.submitted_permit()
    with pytest.raises(TransitionNotAllowed):
        actions.approve_case(case_id=case.pk, by=b.executive())
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert not CaseFee.objects.filter(case=case).exists()


def test_roles_are_enforced_at_each_step():
    case = b.submitted_permit()
    with pytest.raises(PermissionDenied):
        actions.accept_case(case_id=case.pk, by=b.health_officer())
    actions.accept_case(case_id=case.pk, by=b.engineer())
    actions.record_inspection(case_id=case.pk, by=b.engineer(), result="pass")
    actions.record_technical_review(case_id=case.pk, by=b.engineer(), note="ok")
    with pytest.raises(PermissionDenied):
        actions.approve_case(case_id=case.pk, by=b.engineer())  # the local official decides (s.25)


def test_refusal_needs_a_legal_reason():
    case = b.submitted_permit()
    actions.accept_case(case_id=case.pk, by=b.engineer())
    with pytest.raises(ValidationError):
        actions.refuse_case(case_id=case.pk, by=b.executive(), reason="ไม่ได้")
    actions.refuse_case(case_id=case.pk, by=b.executive(), reason="ขัดข้อบัญญัติท้องถิ่นเรื่องระยะร่นอาคาร มาตรา 10")
    case.refresh_from_db()
    assert case.status == CaseStatus.REFUSED
    assert "ระยะร่น" in case.decision_reason


def test_the_deadline_extends_at_most_twice_by_45_days():
    case = b.submitted_permit()
    actions.accept_case(case_id=case.pk, by=b.engineer())
    boss = b.executive()
    first_due = Case.objects.get(pk=case.pk).due_date
    actions.extend_deadline(case_id=case.pk, by=boss, reason="รอความเห็นวิศวกรโยธา")
    actions.extend_deadline(case_id=case.pk, by=boss, reason="รอผลตรวจดิน")
    with pytest.raises(ValidationError):
        actions.extend_deadline(case_id=case.pk, by=boss, reason="อีกครั้ง")
    case.refresh_from_db()
    assert case.due_date == first_due + dt.timedelta(days=90)
    assert case.extensions_used == 2
    with pytest.raises(PermissionDenied):
        actions.extend_deadline(case_id=case.pk, by=b.engineer(), reason="x")


def test_approval_computes_the_fee_from_the_rate_table_and_invoices_it():
    case, _boss = b.approved_permit()
    fee = case.fees.get()
    # 120.40 m² → 120 m² (Act's schedule rounding) × 0.50 plan check + 200 permit (Reg. 70, B.E. 2564).
    assert [line["amount"] for line in fee.lines] == ["200.00", "60.00"]
    assert fee.amount == Decimal("260.00")
    assert "ฉบับที่ 70" in fee.rate_version
    assert fee.invoice_reference.startswith("ALP")  # raised through the payments service
    assert fee.payment_url.startswith("/payments/bill/")
    assert case.status == CaseStatus.APPROVED


def test_paying_the_fee_issues_the_numbered_permit_with_validity(django_capture_on_commit_callbacks):
    case, _boss = b.approved_permit()
    fee = case.fees.get()
    with django_capture_on_commit_callbacks() as callbacks:
        actions.record_fee_paid(fee_public_id=fee.public_id, reference="ALP-RCPT-1")
    assert len(callbacks) >= 1  # the certificate is rendered by a task after the payment commits
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED
    actions.issue_paid_certificate(case_id=case.pk)  # what the worker runs
    case.refresh_from_db()
    assert case.status == CaseStatus.ISSUED
    certificate = case.certificate
    assert certificate.number >= 1
    assert certificate.be_year == actions.today().year + 543
    assert certificate.valid_until == actions.today() + dt.timedelta(days=365)
    assert certificate.pdf is not None
    assert certificate.pdf.size > 1000
    assert certificate.public_summary["location"] == case.address
    assert "สมชาย" not in str(certificate.public_summary)  # no personal data in the register
    # Paying twice (a duplicate bank confirmation) changes nothing.
    actions.record_fee_paid(fee_public_id=fee.public_id, reference="again")
    assert Certificate.objects.filter(case=case).count() == 1


def test_transfer_and_renewal_requests_are_decided_by_the_official():
    case, boss = b.approved_permit()
    b.pay_and_issue(case)
    certificate = Certificate.objects.get(case=case)
    with pytest.raises(ValidationError):
        permit_actions.request_permit_change(
            certificate_id=certificate.pk,
            by=case.applicant,
            kind="transfer",
            reason="ขายที่ดิน",
            new_holder_name="ผู้ซื้อ",
            new_holder_national_id="1101700203452",
        )
    transfer = permit_actions.request_permit_change(
        certificate_id=certificate.pk,
        by=case.applicant,
        kind="transfer",
        reason="ขายที่ดิน",
        new_holder_name="นายผู้ซื้อ ใหม่",
        new_holder_national_id=b.OTHER_VALID_ID,
    )
    permit_actions.decide_permit_request(request_id=transfer.pk, by=boss, approve=True)
    certificate.refresh_from_db()
    assert certificate.holder_name == "นายผู้ซื้อ ใหม่"
    renewal = permit_actions.request_permit_change(
        certificate_id=certificate.pk, by=case.applicant, kind="extension", reason="ก่อสร้างไม่ทัน"
    )
    before = certificate.valid_until
    with pytest.raises(PermissionDenied):
        permit_actions.decide_permit_request(request_id=renewal.pk, by=b.engineer(), approve=True)
    permit_actions.decide_permit_request(request_id=renewal.pk, by=boss, approve=True)
    certificate.refresh_from_db()
    assert certificate.valid_until == before + dt.timedelta(days=365)
    assert PermitRequest.objects.filter(certificate=certificate, status="approved").count() == 2


def test_a_standard_plan_sets_the_building_size():
    from services.building_permits.models import StandardHousePlan

    plan = StandardHousePlan.objects.get(code="dpt-03")
    case = permit_actions.save_application_draft(
        by=b.citizen(),
        data=b.permit_data(plan_source="standard", standard_plan=str(plan.pk), floor_area_m2="999"),
    )
    detail = case.building_permit
    assert (detail.floors, detail.floor_area_m2, detail.height_m) == (
        plan.floors,
        plan.floor_area_m2,
        plan.height_m,
    )


def test_corrections_ordered_on_a_complete_application_give_a_30_day_clock():
    case = b.submitted_permit()
    eng = b.engineer()
    actions.accept_case(case_id=case.pk, by=eng)
    actions.record_inspection(case_id=case.pk, by=eng, result="fix", notes="ระยะร่นด้านข้างไม่พอ")
    actions.return_for_fixes(case_id=case.pk, by=eng, items=[{"text": "แก้ผังบริเวณให้ห่างเขตที่ดิน 1 เมตร"}])
    case.refresh_from_db()
    assert case.status == CaseStatus.RETURNED
    assert case.due_date is None
    plans = b.requirement("building_permit", "plans")
    actions.attach_document(
        case_id=case.pk, requirement_id=plans.pk, upload=b.pdf("plans-v2.pdf"), by=case.applicant
    )
    actions.submit_case(case_id=case.pk, by=case.applicant)
    actions.accept_case(case_id=case.pk, by=eng)
    case.refresh_from_db()
    # Building Control Act s.27: 30 days once the ordered corrections are made.
    assert case.due_date == actions.today() + dt.timedelta(days=30)


def test_building_engineers_are_told_when_an_application_arrives():
    from tests.factories import make_user

    engineer = make_user(roles=("building_engineer",), email="engineer@alpha.example.org")
    health = make_user(roles=("public_health_officer",), email="health@alpha.example.org")
    case = b.submitted_permit()
    assert OutboxMessage.objects.filter(
        recipient=engineer.email, subject__contains=case.tracking_code
    ).exists()
    assert not OutboxMessage.objects.filter(recipient=health.email).exists()
