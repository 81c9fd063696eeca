"""The permit journey as people use it: portal pages, staff pages, PromptPay payment, verification."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from services.casework import actions
from services.casework.models import Case, CaseStatus
from tests.services.casework import builders as b

pytestmark = pytest.mark.usefixtures("in_town_a")


@pytest.fixture
def client_a(client_a, in_town_a):
    return b.TownClient(client_a, in_town_a)


def form(**overrides) -> dict:
    data = b.permit_data(**overrides)
    data["applicant_is_owner"] = "on" if data["applicant_is_owner"] else ""
    return data


def test_citizen_applies_staff_review_fee_paid_by_promptpay_and_permit_verifies(client_a, in_town_a):
    citizen = b.citizen(email="somchai@example.org")
    client_a.force_login(citizen)
    assert "ขออนุญาตก่อสร้างอาคาร" in client_a.get("/permits/").content.decode()
    assert client_a.get("/permits/apply/").status_code == 200
    response = client_a.post("/permits/apply/", form())
    assert response.status_code == 302
    case = Case.objects.get(applicant=citizen)
    page = client_a.get(response["Location"]).content.decode()
    assert "เอกสารประกอบ" in page
    assert case.status == CaseStatus.DRAFT
    for requirement in actions.missing_requirements(case):
        client_a.post(
            f"/permits/mine/{case.public_id}/upload/", {"requirement": requirement.pk, "file": b.pdf()}
        )
    assert client_a.post(f"/permits/mine/{case.public_id}/submit/").status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED

    engineer, executive = b.engineer(), b.executive()
    client_a.force_login(engineer)
    assert case.tracking_code in client_a.get("/permits/staff/").content.decode()
    assert "act-accept" in client_a.get(f"/permits/staff/{case.public_id}/").content.decode()
    client_a.post(f"/permits/staff/{case.public_id}/accept/")
    client_a.post(
        f"/permits/staff/{case.public_id}/inspect/",
        {"result": "pass", "notes": "ตรงแบบ", "photos": [b.jpeg("site.jpg")]},
    )
    client_a.post(f"/permits/staff/{case.public_id}/review/", {"note": "ผ่าน"})
    assert "act-approve" not in client_a.get(f"/permits/staff/{case.public_id}/").content.decode()
    client_a.force_login(executive)
    client_a.post(f"/permits/staff/{case.public_id}/approve/")
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED
    fee = case.fees.get()

    client_a.force_login(citizen)
    page = client_a.get(f"/permits/mine/{case.public_id}/").content.decode()
    assert fee.payment_url in page
    assert "260.00" in page
    call_command("bank_simulator", town="alpha", invoice=fee.invoice_reference, in_process=True)
    connection.set_tenant(in_town_a)
    fee.refresh_from_db()
    assert fee.status == "paid"
    actions.issue_paid_certificate(case_id=case.pk)  # the task queued after the payment committed
    case.refresh_from_db()
    assert case.status == CaseStatus.ISSUED
    pdf = client_a.get(f"/permits/cases/{case.public_id}/permit.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    verify = client_a.get(f"/permits/verify/{case.certificate.verification_token}/").content.decode()
    assert "ใช้ได้" in verify
    assert case.certificate.display_number in verify
    client_a.logout()
    register = client_a.get("/permits/register/").content.decode()
    assert case.certificate.display_number in register
    assert "สมชาย" not in register
    assert b.VALID_ID not in register


def test_form_errors_are_shown_and_nothing_is_saved(client_a):
    citizen = b.citizen()
    client_a.force_login(citizen)
    response = client_a.post(
        "/permits/apply/", form(floor_area_m2="180", applicant_national_id="1111111111111")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "150 ตารางเมตร" in page
    assert "เลขประจำตัวประชาชนไม่ถูกต้อง" in page
    assert not Case.objects.filter(applicant=citizen).exists()


def test_a_file_that_is_not_pdf_or_jpeg_is_refused_with_a_message(client_a):
    citizen = b.citizen()
    client_a.force_login(citizen)
    client_a.post("/permits/apply/", form())
    case = Case.objects.get(applicant=citizen)
    requirement = b.requirement("building_permit", "title_deed")
    evil = SimpleUploadedFile("deed.pdf", b"MZ\x90\x00", content_type="application/pdf")
    response = client_a.post(
        f"/permits/mine/{case.public_id}/upload/", {"requirement": requirement.pk, "file": evil}, follow=True
    )
    assert "PDF" in response.content.decode()
    assert not case.documents.exists()


def test_others_cannot_see_a_case_and_citizens_cannot_open_staff_pages(client_a):
    case = b.submitted_permit()
    client_a.force_login(b.citizen())
    assert client_a.get(f"/permits/mine/{case.public_id}/").status_code == 404
    assert client_a.get("/permits/staff/").status_code == 403
    document = case.documents.first()
    assert client_a.get(f"/permits/cases/{case.public_id}/documents/{document.pk}/").status_code == 404
    client_a.force_login(b.health_officer())  # staff, but not of this service
    assert client_a.get(f"/permits/staff/{case.public_id}/").status_code == 403


def test_staff_of_another_town_see_nothing(client_b, town_a, town_b):
    from django.db import connection

    case = b.submitted_permit()
    connection.set_tenant(town_b)
    other_engineer = b.engineer()
    client_b = b.TownClient(client_b, town_b)
    client_b.force_login(other_engineer)
    assert client_b.get(f"/permits/staff/{case.public_id}/").status_code == 404
    assert case.tracking_code not in client_b.get("/permits/staff/").content.decode()


def test_staff_case_page_shows_the_statutory_deadline(client_a):
    case = b.submitted_permit()
    engineer = b.engineer()
    actions.accept_case(case_id=case.pk, by=engineer)
    client_a.force_login(engineer)
    page = client_a.get(f"/permits/staff/{case.public_id}/").content.decode()
    assert "ครบกำหนดพิจารณาตามกฎหมาย" in page
    assert re.search(r"เหลือ 4[45] วัน", page)


def test_a_payment_for_a_cancelled_fee_is_kept_by_payments(client_a, in_town_a):
    from services.casework.models import CaseFee
    from services.payments.models import Invoice

    case, _boss = b.approved_permit()
    fee = case.fees.get()
    CaseFee.objects.filter(pk=fee.pk).update(status=CaseFee.Status.CANCELLED)
    call_command("bank_simulator", town="alpha", invoice=fee.invoice_reference, in_process=True)
    connection.set_tenant(in_town_a)
    assert Invoice.objects.get(number=fee.invoice_reference).status == "paid"
    assert Case.objects.get(pk=case.pk).status == CaseStatus.APPROVED
