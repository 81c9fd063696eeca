"""The e-Saraban API: bilingual errors, right statuses, same rules as the pages."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from api.tokens import issue_token
from services.correspondence import actions
from tests.services.correspondence.helpers import approved_letter, configure_town, scan, staff_set

pytestmark = pytest.mark.django_db
BASE = "/api/v1/saraban"


def api(client, method: str, path: str, user, data=None):
    token = issue_token(user)
    tenant = connection.tenant
    response = getattr(client, method)(
        f"{BASE}{path}", data=data, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}"
    )
    connection.set_tenant(tenant)
    return response


def test_drafting_through_the_api_validates_and_creates(in_town_a, client_a):
    people = staff_set()
    bad = api(client_a, "post", "/letters/", people["officer"], {"subject": "", "urgency": "fastest"})
    assert bad.status_code == 400
    error = bad.json()["error"]
    assert error["code"] == "invalid"
    assert {"subject", "body", "urgency"} <= set(error["fields"])
    # An external letter is addressed: without a recipient the action refuses it, naming the field
    # (orders, announcements and certificates are issued without one).
    unaddressed = api(client_a, "post", "/letters/", people["officer"], {"subject": "เชิญประชุม", "body": "ข้อความ"})
    assert unaddressed.status_code == 400
    assert "recipient_name" in unaddressed.json()["error"]["fields"]
    good = api(
        client_a,
        "post",
        "/letters/",
        people["officer"],
        {"subject": "ขออนุมัติจัดซื้อ", "body": "รายละเอียด", "recipient_name": "นายกเทศมนตรี"},
    )
    assert good.status_code == 201
    assert good.json()["status"] == "draft"


def test_workflow_steps_answer_409_out_of_order_and_403_for_the_wrong_person(in_town_a, client_a, town_b):
    configure_town()
    people = staff_set()
    letter = approved_letter(people)
    assert api(client_a, "post", f"/letters/{letter.pk}/register/", people["clerk"]).status_code == 409
    assert (
        api(
            client_a,
            "post",
            f"/letters/{letter.pk}/send/",
            people["executive"],
            {"recipient_codes": [town_b.lao_code]},
        ).status_code
        == 403
    )
    sent = api(
        client_a,
        "post",
        f"/letters/{letter.pk}/send/",
        people["clerk"],
        {"recipient_codes": [town_b.lao_code]},
    )
    assert sent.status_code == 200
    assert sent.json()["letter_number"].startswith("ที่ ชบ 52105/")
    agencies = api(client_a, "get", "/agencies/", people["clerk"]).json()
    assert [a["code"] for a in agencies] == [town_b.lao_code]


def test_secret_letter_through_the_api_is_403_for_outsiders(in_town_a, client_a):
    configure_town()
    people = staff_set()
    letter = actions.register_paper_letter(
        by=people["clerk"],
        subject="ลับ",
        sender_name="จังหวัด",
        letter_number="1",
        letter_date=timezone.localdate(),
        scans=[scan()],
        secrecy="very_secret",
    )
    response = api(client_a, "get", f"/letters/{letter.pk}/", people["executive"])
    assert response.status_code == 403
    assert response.json()["error"]["message_th"]
    assert api(client_a, "get", f"/letters/{letter.pk}/", people["clerk"]).status_code == 200


def test_a_token_of_one_town_is_refused_by_another(in_town_a, client_b):
    clerk = staff_set()["clerk"]
    token = issue_token(clerk)
    response = client_b.get(f"{BASE}/letters/", HTTP_AUTHORIZATION=f"Token {token}")
    connection.set_tenant(in_town_a)
    assert response.status_code == 401


def test_paper_letter_by_api_then_found_in_the_register(in_town_a, client_a):
    clerk = staff_set()["clerk"]
    token = issue_token(clerk)
    fields = {
        "subject": "หนังสือจากอำเภอ",
        "sender_name": "อำเภอสัตหีบ",
        "letter_number": "ชบ 0318/55",
        "letter_date": "2026-11-20",
    }
    bad = client_a.post(
        f"{BASE}/letters/receive/",
        data={**fields, "scans": scan("x.exe", b"MZ", "application/x-msdownload")},
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    connection.set_tenant(in_town_a)
    assert bad.status_code == 400
    response = client_a.post(
        f"{BASE}/letters/receive/", data={**fields, "scans": scan()}, HTTP_AUTHORIZATION=f"Token {token}"
    )
    connection.set_tenant(in_town_a)
    assert response.status_code == 201, response.content
    number = response.json()["register_entries"][0]["number"]
    rows = api(client_a, "get", "/registers/receiving/?q=อำเภอ", clerk).json()["results"]
    assert [r["number"] for r in rows] == [number]
    assert api(client_a, "get", "/registers/nonsense/", clerk).status_code == 404
