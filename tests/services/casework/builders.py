"""Builders for case tests: applicants, complete applications, staff of each role, files."""

from __future__ import annotations

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from services.building_permits import actions as permit_actions
from services.casework import actions
from services.casework.models import Case, DocumentRequirement
from services.food_premises import actions as food_actions
from tests.factories import make_user

VALID_ID = "1101700203450"
OTHER_VALID_ID = "1101700230708"
# Inside the test town "alpha" (lon 100.88–100.93, lat 12.73–12.78).
INSIDE = {"latitude": "12.750000", "longitude": "100.900000"}
OUTSIDE = {"latitude": "12.820000", "longitude": "100.900000"}  # inside "beta", not "alpha"

PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64 + b"\xff\xd9"


def pdf(name: str = "doc.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def jpeg(name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, JPEG_BYTES, content_type="image/jpeg")


def citizen(**fields):
    fields.setdefault("first_name", "สมชาย")
    fields.setdefault("last_name", "ใจดี")
    fields.setdefault("phone", "0812345678")
    return make_user(kind="citizen", **fields)


def permit_data(**overrides) -> dict:
    data = {
        "applicant_name": "สมชาย ใจดี",
        "applicant_national_id": VALID_ID,
        "applicant_phone": "0812345678",
        "applicant_email": "somchai@example.org",
        "applicant_is_owner": True,
        "owner_name": "",
        "owner_national_id": "",
        "deed_type": "chanote",
        "deed_number": "12345",
        "parcel_number": "67",
        "survey_page": "890",
        "address": "99 หมู่ 3 ต.บางเสร่",
        **INSIDE,
        "building_use": "house",
        "floors": 1,
        "height_m": "5.50",
        "floor_area_m2": "120.40",
        "plan_source": "own",
        "standard_plan": "",
        "engineer_name": "วิศวกร ทดสอบ",
        "engineer_licence": "สย.12345",
        "architect_name": "",
        "architect_licence": "",
    }
    data.update(overrides)
    return data


def food_data(**overrides) -> dict:
    data = {
        "applicant_name": "สมหญิง รักสะอาด",
        "applicant_national_id": VALID_ID,
        "applicant_phone": "0898765432",
        "applicant_email": "somying@example.org",
        "operator_type": "person",
        "operator_name": "สมหญิง รักสะอาด",
        "operator_id": VALID_ID,
        "premises_name": "ร้านข้าวแกงป้าหญิง",
        "address": "12 หมู่ 1 ต.บางเสร่",
        **INSIDE,
        "business_kind": "selling",
        "area_m2": "48",
        "food_types": "ข้าวแกง อาหารตามสั่ง",
        "seats": 20,
        "staff_count": 3,
        "hygiene_self_check": {"prep_height": True, "pests": True},
    }
    data.update(overrides)
    return data


def attach_required(case: Case, by) -> None:
    for requirement in actions.missing_requirements(case):
        actions.attach_document(
            case_id=case.pk, requirement_id=requirement.pk, upload=pdf(f"{requirement.code}.pdf"), by=by
        )


def submitted_permit(applicant=None, **overrides) -> Case:
    applicant = applicant or citizen()
    case = permit_actions.save_application_draft(by=applicant, data=permit_data(**overrides))
    attach_required(case, applicant)
    return actions.submit_case(case_id=case.pk, by=applicant)


def submitted_food(applicant=None, **overrides) -> Case:
    applicant = applicant or citizen()
    case = food_actions.save_notification_draft(by=applicant, data=food_data(**overrides))
    attach_required(case, applicant)
    return actions.submit_case(case_id=case.pk, by=applicant)


def engineer():
    return make_user(roles=("building_engineer",))


def executive():
    return make_user(roles=("executive",))


def health_officer():
    return make_user(roles=("public_health_officer",))


def approved_permit() -> tuple[Case, object]:
    """A permit case approved by the executive, its fee invoiced and due."""
    case = submitted_permit()
    eng, boss = engineer(), executive()
    actions.accept_case(case_id=case.pk, by=eng)
    actions.record_inspection(case_id=case.pk, by=eng, result="pass", notes="ตรงตามแบบ")
    actions.record_technical_review(case_id=case.pk, by=eng, note="โครงสร้างถูกต้อง")
    actions.approve_case(case_id=case.pk, by=boss)
    return Case.objects.get(pk=case.pk), boss


def requirement(kind: str, code: str) -> DocumentRequirement:
    return DocumentRequirement.objects.get(kind=kind, code=code)


ZERO = Decimal("0.00")


def pay_and_issue(case: Case):
    """The invoice is paid (payments → invoice_paid) and the worker issues the certificate."""
    fee = case.fees.get(purpose="issue")
    actions.record_fee_paid(fee_public_id=fee.public_id, reference="TEST-RECEIPT")
    return actions.issue_paid_certificate(case_id=case.pk)


class TownClient:
    """A test client that puts the test's connection back into the town after each request
    (the routing middleware leaves it on the public schema)."""

    def __init__(self, client, town):
        self.client, self.town = client, town

    def __getattr__(self, name):
        attribute = getattr(self.client, name)
        if name not in ("get", "post", "put", "patch", "delete"):
            return attribute

        def call(*args, **kwargs):
            from django.db import connection

            try:
                return attribute(*args, **kwargs)
            finally:
                connection.set_tenant(self.town)

        return call
