"""Text too long for its column and empty bodies (found by API fuzzing): a 400 naming the field, no row."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from api.tokens import issue_token
from services.correspondence import actions
from services.correspondence.models import Letter

from .helpers import configure_town, scan, staff_set


@pytest.fixture
def people(in_town_a):
    configure_town()
    return staff_set()


def test_a_recipient_too_long_for_the_default_salutation_is_a_field_error(people):
    with pytest.raises(ValidationError) as caught:
        actions.draft_letter(by=people["clerk"], subject="เรื่อง", body="ข้อความ", recipient_name="ก" * 400)
    assert "255" in caught.value.message_dict["salutation"][0]
    letter = actions.draft_letter(by=people["clerk"], subject="เรื่อง", body="ข้อความ", recipient_name="ก" * 400,
                                  salutation="ผู้ว่าราชการจังหวัด")
    assert len(letter.recipient_name) == 400
    assert Letter.objects.count() == 1


def test_a_paper_letter_number_too_long_is_a_field_error(people):
    with pytest.raises(ValidationError) as caught:
        actions.register_paper_letter(by=people["clerk"], subject="เรื่อง", sender_name="จังหวัด",
                                      letter_number="๑" * 101, letter_date=dt.date(2026, 11, 1), scans=[scan()])
    assert "letter_number" in caught.value.message_dict
    assert not Letter.objects.exists()


def test_the_api_answers_400_for_an_empty_paper_letter_and_a_long_draft(people, client_a, in_town_a):
    token = issue_token(people["clerk"])
    auth = {"HTTP_AUTHORIZATION": f"Token {token}"}
    empty = client_a.post("/api/v1/saraban/letters/receive/", **auth)
    assert empty.status_code == 400
    assert "scans" in empty.json()["error"]["fields"]
    long = client_a.post("/api/v1/saraban/letters/", {"subject": "ก", "body": "ข", "recipient_name": "ค" * 300},
                         content_type="application/json", **auth)
    assert long.status_code == 400
    assert "salutation" in long.json()["error"]["fields"]
    connection.set_tenant(in_town_a)  # the request left the connection on the public schema
    assert not Letter.objects.exists()
