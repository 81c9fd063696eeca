"""The food notification pages: form with hygiene self-check, receipt at once, staff inspection."""

from __future__ import annotations

import pytest

from services.casework import actions
from services.casework.models import Case, CaseStatus
from tests.services.casework import builders as b

pytestmark = pytest.mark.usefixtures("in_town_a")


@pytest.fixture
def client(client_a, in_town_a):
    return b.TownClient(client_a, in_town_a)


def form(**overrides) -> dict:
    data = b.food_data(**overrides)
    data.pop("hygiene_self_check")
    data["hygiene_prep_height"] = "on"
    return data


def test_notify_get_a_receipt_and_staff_inspect_with_the_hygiene_checklist(client):
    citizen = b.citizen()
    client.force_login(citizen)
    page = client.get("/food/apply/").content.decode()
    assert "ประเมินตนเองด้านสุขลักษณะ" in page
    assert "60 ซม." in page
    response = client.post("/food/apply/", form())
    assert response.status_code == 302
    case = Case.objects.get(applicant=citizen)
    assert case.food_notification.hygiene_self_check[0] == {
        "code": "prep_height",
        "title": case.food_notification.hygiene_self_check[0]["title"],
        "ok": True,
    }
    b.attach_required(case, citizen)
    client.post(f"/food/mine/{case.public_id}/submit/")
    page = client.get(f"/food/mine/{case.public_id}/").content.decode()
    assert "ใบรับแจ้งเลขที่" in page
    assert "มาตรา 48" in page

    officer = b.health_officer()
    client.force_login(officer)
    page = client.get(f"/food/staff/{case.public_id}/").content.decode()
    assert "act-accept" in page
    client.post(f"/food/staff/{case.public_id}/accept/")
    page = client.get(f"/food/staff/{case.public_id}/").content.decode()
    assert "check-pests" in page  # the town's hygiene checklist on the inspection form
    client.post(
        f"/food/staff/{case.public_id}/inspect/", {"result": "pass", "check_pests": "on", "notes": "สะอาด"}
    )
    client.post(f"/food/staff/{case.public_id}/approve/")
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED
    assert case.inspections.get().checklist[6] == {
        "code": "pests",
        "title": case.inspections.get().checklist[6]["title"],
        "ok": True,
    }


def test_over_200_square_metres_shows_the_licence_pointer(client):
    client.force_login(b.citizen())
    page = client.post("/food/apply/", form(area_m2="250")).content.decode()
    assert "ใบอนุญาต" in page
    assert "มาตรา 38" in page


def test_suspended_certificate_is_shown_as_not_valid_with_why(client):
    case = b.submitted_food()
    officer = b.health_officer()
    actions.accept_case(case_id=case.pk, by=officer)
    actions.approve_case(case_id=case.pk, by=officer)
    certificate = b.pay_and_issue(Case.objects.get(pk=case.pk))
    actions.suspend_certificate(certificate=certificate, reason="ค้างชำระค่าธรรมเนียม 3 งวด")
    page = client.get(f"/food/verify/{certificate.verification_token}/").content.decode()
    assert "ไม่สามารถใช้ได้" in page
    assert "ค้างชำระค่าธรรมเนียม 3 งวด" in page
    assert "ร้านข้าวแกงป้าหญิง" in page
    assert b.VALID_ID not in page
