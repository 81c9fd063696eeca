"""One "my requests" page and GET /api/v1/me/requests/: every complaint, permit application, food
notification, bill and receipt of the signed-in citizen, newest first — and nobody else's."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from services.casework import actions as case_actions
from services.citizens.my_requests import requests_of
from services.complaints import actions as complaint_actions
from services.complaints.models import Category
from services.payments.actions import record_counter_payment
from services.payments.models import Payer
from tests.factories import make_user
from tests.services.casework import builders as b
from tests.services.payments.conftest import make_invoice

from .conftest import OTHER_ID, VALID_ID

pytestmark = pytest.mark.django_db


def _complaint(user, description: str):
    filing = complaint_actions.Filing(
        category=Category.objects.get(code="road"), description=description, latitude=b.INSIDE["latitude"],
        longitude=b.INSIDE["longitude"], reporter_name=user.get_full_name(), reporter_phone=user.phone,
        reporter_email="", consent=True,
    )
    return complaint_actions.submit_complaint(filing=filing, by=user, ip="203.0.113.7")


def _permit_with_fee(applicant):
    case = b.submitted_permit(applicant=applicant)
    eng, boss = b.engineer(), b.executive()
    case_actions.accept_case(case_id=case.pk, by=eng)
    case_actions.record_inspection(case_id=case.pk, by=eng, result="pass", notes="ตรงตามแบบ")
    case_actions.record_technical_review(case_id=case.pk, by=eng, note="ถูกต้อง")
    case_actions.approve_case(case_id=case.pk, by=boss)
    return case


def people_with_everything():
    from django.core.cache import cache

    cache.clear()  # complaint rate limits
    malee = b.citizen(first_name="มาลี", last_name="ใจดี", phone="0861110001", national_id=VALID_ID,
                      identity_provider="thaid", identity_verified_at="2026-11-01T09:00:00+07:00")
    somchai = b.citizen(first_name="สมชาย", last_name="ดีใจ", phone="0861110002", national_id=OTHER_ID,
                        identity_provider="thaid", identity_verified_at="2026-11-01T09:00:00+07:00")
    finance = make_user(roles=("finance_officer",))
    mine = {
        "complaint": _complaint(malee, "ไฟถนนหน้าบ้านมาลีดับ").tracking_code,
        "food": b.submitted_food(applicant=malee).tracking_code,
        "permit": _permit_with_fee(malee).tracking_code,
    }
    house = Payer.objects.create(code="H0032", name="มาลี ใจดี", national_id=VALID_ID)
    bill = make_invoice(payer=house, payer_name="มาลี ใจดี", amount="40.00")
    mine["bill"] = bill.number
    mine["receipt"] = record_counter_payment(invoice_id=bill.pk, amount=bill.outstanding, by=finance).display_number
    theirs = {
        "complaint": _complaint(somchai, "ขยะไม่ได้เก็บหน้าบ้านสมชาย").tracking_code,
        "food": b.submitted_food(applicant=somchai).tracking_code,
        "bill": make_invoice(payer=Payer.objects.create(code="H0001", name="นายประเสริฐ", phone="0861110001"),
                             payer_name="นายประเสริฐ").number,
    }
    return malee, somchai, mine, theirs


def test_one_list_of_all_five_services_newest_first_and_none_of_anyone_elses(in_town_a):
    malee, somchai, mine, theirs = people_with_everything()
    items = requests_of(malee)
    by_service = {item.service: item for item in items}
    assert set(by_service) == {"complaint", "food", "permit", "bill", "receipt"}
    assert {s: by_service[s].reference for s in mine if s != "bill"} == {s: r for s, r in mine.items() if s != "bill"}
    assert mine["bill"] in {i.reference for i in items if i.service == "bill"}
    assert [i.at for i in items] == sorted((i.at for i in items), reverse=True)
    references = {item.reference for item in items}
    assert not references & set(theirs.values())
    # a permit approved and waiting for its fee says so, with the fee's bill listed too
    assert by_service["permit"].next_step == "ชำระค่าธรรมเนียม"
    assert len([i for i in items if i.service == "bill"]) == 2  # the house bill and the permit fee
    assert by_service["complaint"].due_date is not None
    theirs_seen = {i.reference for i in requests_of(somchai)}
    assert theirs["complaint"] in theirs_seen and mine["complaint"] not in theirs_seen
    assert mine["bill"] not in theirs_seen  # phone 0861110001 matches no one's proof


def test_the_page_and_the_api_show_the_same_list(in_town_a, client_a):
    malee, _somchai, mine, theirs = people_with_everything()
    client_a.force_login(malee)
    connection.set_schema_to_public()
    page = client_a.get("/me/requests/")
    assert page.status_code == 200
    html = page.content.decode()
    for reference in mine.values():
        assert reference in html
    for reference in theirs.values():
        assert reference not in html
    assert "ยืนยันตัวตนโดย ThaiD" in html
    api = client_a.get("/api/v1/me/requests/")
    assert api.status_code == 200
    body = api.json()
    assert body["count"] == len(requests_of_in(in_town_a, malee))
    assert {r["service"] for r in body["results"]} == {"complaint", "food", "permit", "bill", "receipt"}
    assert not {r["reference"] for r in body["results"]} & set(theirs.values())


def requests_of_in(town, user):
    connection.set_tenant(town)
    try:
        return requests_of(user)
    finally:
        connection.set_schema_to_public()


def test_anonymous_and_staff_get_clear_answers(in_town_a, client_a):
    staff = make_user(roles=("officer",))
    connection.set_schema_to_public()
    assert client_a.get("/me/requests/").status_code == 302  # to the sign-in page
    assert client_a.get("/api/v1/me/requests/").status_code == 401
    connection.set_tenant(in_town_a)
    client_a.force_login(staff)
    connection.set_schema_to_public()
    assert client_a.get("/me/requests/").status_code == 403
    assert client_a.get("/api/v1/me/requests/").status_code == 403


def test_another_towns_session_and_the_same_person_there_see_nothing_of_this_town(town_a, town_b):
    connection.set_tenant(town_a)
    malee, _somchai, mine, _theirs = people_with_everything()
    alpha = Client(HTTP_HOST="alpha.localhost")
    alpha.force_login(malee)
    connection.set_tenant(town_b)
    malee_in_beta = b.citizen(first_name="มาลี", last_name="ใจดี", national_id=VALID_ID, identity_provider="thaid",
                              identity_verified_at="2026-11-01T09:00:00+07:00")
    beta = Client(HTTP_HOST="beta.localhost")
    beta.force_login(malee_in_beta)
    connection.set_schema_to_public()
    # alpha's session cookie means nothing on beta's host
    alpha.defaults["HTTP_HOST"] = "beta.localhost"
    assert alpha.get("/api/v1/me/requests/").status_code == 401
    body = beta.get("/api/v1/me/requests/").json()
    assert body["count"] == 0
    assert not {r["reference"] for r in body["results"]} & set(mine.values())


def test_the_api_pages_a_long_list(in_town_a, client_a):
    malee = b.citizen(national_id=VALID_ID, identity_provider="thaid", identity_verified_at="2026-11-01T09:00:00+07:00")
    house = Payer.objects.create(code="H0100", name="มาลี", national_id=VALID_ID)
    for _ in range(60):
        make_invoice(payer=house, payer_name="มาลี")
    client_a.force_login(malee)
    connection.set_schema_to_public()
    first = client_a.get("/api/v1/me/requests/").json()
    assert first["count"] == 60 and len(first["results"]) == 50 and first["next"]
    assert len(client_a.get("/api/v1/me/requests/?page=2").json()["results"]) == 10
    assert client_a.get("/api/v1/me/requests/?page=99").status_code == 404
