"""What a newcomer hit first on a permit: who acts next, and the standard-plan form."""

from __future__ import annotations

import pytest

from services.building_permits.models import StandardHousePlan
from services.casework import actions
from services.casework.models import Case
from tests.services.casework.builders import TownClient, citizen, engineer, permit_data, submitted_permit

pytestmark = pytest.mark.django_db


def test_after_technical_review_the_engineer_is_told_the_executive_approves(client_a, in_town_a):
    case = submitted_permit()
    eng = engineer()
    actions.accept_case(case_id=case.pk, by=eng)
    actions.record_inspection(case_id=case.pk, by=eng, result="pass", notes="ตรงตามแบบ")
    actions.record_technical_review(case_id=case.pk, by=eng, note="โครงสร้างถูกต้อง")
    client = TownClient(client_a, in_town_a)
    client.force_login(eng)
    page = client.get(f"/permits/staff/{case.public_id}/").content.decode()
    section = page[page.index('id="next-steps"'):]
    section = section[: section.index("</section>")]
    assert "อนุมัติแล้ว รอชำระค่าธรรมเนียม" in section  # the step
    assert "ผู้บริหาร" in section  # and the role that takes it
    assert "ท่านดำเนินการได้" not in section  # not the engineer's


def test_the_applicant_sees_who_acts_next_on_their_case(client_a, in_town_a):
    applicant = citizen()
    case = submitted_permit(applicant=applicant)
    client = TownClient(client_a, in_town_a)
    client.force_login(applicant)
    page = client.get(f"/permits/mine/{case.public_id}/").content.decode()
    assert 'id="next-steps"' in page
    assert "นายช่าง / วิศวกร" in page or "ผู้บริหาร" in page or "เจ้าหน้าที่" in page


def test_a_standard_plan_application_needs_no_floors_height_or_area(client_a, in_town_a):
    applicant = citizen()
    plan = StandardHousePlan.objects.filter(is_active=True).first()
    data = permit_data(plan_source="standard", standard_plan=str(plan.pk), engineer_name="", engineer_licence="")
    for name in ("floors", "height_m", "floor_area_m2"):
        data[name] = ""
    client = TownClient(client_a, in_town_a)
    client.force_login(applicant)
    response = client.post("/permits/apply/", {k: v for k, v in data.items() if v is not None})
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get(applicant=applicant)
    assert case.building_permit.floors == plan.floors
    assert case.building_permit.floor_area_m2 == plan.floor_area_m2
