"""/api/v1/permits/ and /api/v1/food/: same rules and errors as the pages, in the OpenAPI schema."""

from __future__ import annotations

import pytest
from django.db import connection

from api.tokens import issue_token
from services.casework import actions
from services.casework.models import Case
from tests.services.casework import builders as b

pytestmark = pytest.mark.usefixtures("in_town_a")


@pytest.fixture
def client_a(client_a, in_town_a):
    return b.TownClient(client_a, in_town_a)


def token_header(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Token {issue_token(user)}"}


def test_citizen_files_by_api_and_staff_take_it_through_review(client_a):
    citizen = b.citizen()
    client_a.force_login(citizen)
    response = client_a.post(
        "/api/v1/permits/applications/", b.permit_data(standard_plan=None), content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft"
    assert "title_deed" in body["missing_documents"]
    case_id = body["id"]
    for code in body["missing_documents"]:
        upload = client_a.post(
            f"/api/v1/permits/applications/{case_id}/documents/", {"requirement": code, "file": b.pdf()}
        )
        assert upload.status_code == 201
    submitted = client_a.post(f"/api/v1/permits/applications/{case_id}/submit/")
    assert submitted.status_code == 200
    assert submitted.json()["tracking_code"].startswith("ALP-BP-")
    client_a.logout()

    engineer = b.engineer()
    headers = token_header(engineer)
    listed = client_a.get("/api/v1/permits/applications/?status=submitted", **headers).json()
    assert case_id in [row["id"] for row in listed["results"]]
    early = client_a.post(
        f"/api/v1/permits/applications/{case_id}/steps/approve/",
        {},
        content_type="application/json",
        **headers,
    )
    assert early.status_code == 409
    accepted = client_a.post(
        f"/api/v1/permits/applications/{case_id}/steps/accept/",
        {},
        content_type="application/json",
        **headers,
    )
    assert accepted.status_code == 200
    assert accepted.json()["due_date"]


def test_bad_input_gets_a_bilingual_400_and_nothing_is_saved(client_a):
    citizen = b.citizen()
    client_a.force_login(citizen)
    response = client_a.post(
        "/api/v1/permits/applications/",
        b.permit_data(floor_area_m2="151", standard_plan=None),
        content_type="application/json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "floor_area_m2" in error["fields"]
    assert not Case.objects.filter(applicant=citizen).exists()


def test_a_decision_on_an_incomplete_case_is_a_409(client_a):
    case = b.submitted_permit()
    response = client_a.post(
        f"/api/v1/permits/applications/{case.public_id}/steps/approve/",
        {},
        content_type="application/json",
        **token_header(b.executive()),
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "transition_not_allowed"


def test_public_verification_says_why_a_certificate_is_not_valid(client_a):
    case, boss = b.approved_permit()
    certificate = b.pay_and_issue(case)
    actions.revoke_certificate(certificate_id=certificate.pk, by=boss, reason="ก่อสร้างผิดไปจากแบบที่ได้รับอนุญาต")
    body = client_a.get(f"/api/v1/permits/verify/{certificate.verification_token}/").json()
    assert body["valid"] is False
    assert "ผิดไปจากแบบ" in body["reason"]
    register = client_a.get("/api/v1/permits/register/").json()
    assert register["results"][0]["number"] == certificate.display_number
    assert "สมชาย" not in str(register)


def test_food_api_over_200_square_metres_is_refused(client_a):
    client_a.force_login(b.citizen())
    response = client_a.post(
        "/api/v1/food/notifications/",
        {**b.food_data(area_m2="201"), "hygiene_self_check": {}},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "ใบอนุญาต" in str(response.json()["error"]["fields"]["area_m2"])


def test_a_token_of_one_town_is_refused_by_another(client_b, town_b):
    engineer = b.engineer()
    headers = token_header(engineer)
    connection.set_tenant(town_b)
    response = b.TownClient(client_b, town_b).get("/api/v1/permits/applications/", **headers)
    assert response.status_code == 401


def test_the_schema_lists_the_permit_and_food_endpoints(client_a):
    schema = client_a.get("/api/v1/schema/?format=json", **token_header(b.engineer())).json()
    for path in (
        "/api/v1/permits/applications/",
        "/api/v1/permits/verify/{token}/",
        "/api/v1/food/notifications/{public_id}/steps/{step}/",
    ):
        assert path in schema["paths"]
