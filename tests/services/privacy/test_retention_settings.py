"""The town admin sets how long each kind of record keeps its personal data; the nightly run reads it."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from services.complaints.models import Complaint
from services.privacy.models import RetentionRule
from services.privacy.tasks import apply_retention
from tests.factories import make_user
from tests.services.citizens.test_my_requests import _complaint
from tests.services.privacy.test_pdpa import malee

pytestmark = pytest.mark.django_db
PAGE = "/staff/privacy/retention/"


def signed_in(town, *roles) -> Client:
    client = Client(HTTP_HOST=f"{town.slug}.localhost")
    with tenant_context(town):
        client.force_login(make_user(roles=roles))
    return client


def years(town, record_type: str) -> int | None:
    with tenant_context(town):
        rule = RetentionRule.objects.filter(record_type=record_type).first()
        return rule and rule.years


def test_the_page_lists_every_kind_with_its_default(town_a):
    page = signed_in(town_a, "town_admin").get(PAGE)
    body = page.content.decode()
    assert page.status_code == 200
    for record_type, default in (("complaint", 2), ("case_draft", 1), ("message", 1)):
        assert f'id="years-{record_type}"' in body
        assert years(town_a, record_type) == default
    assert body.count("ยังไม่เคยทำงาน") == 3  # no nightly run yet
    english = signed_in(town_a, "town_admin")
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Personal data retention" in english.get(PAGE).content.decode()


def test_a_change_is_saved_and_audited(town_a):
    client = signed_in(town_a, "town_admin")
    answer = client.post(PAGE, {"record_type": "complaint", "years": "5"})
    assert answer.status_code == 302
    assert years(town_a, "complaint") == 5
    with tenant_context(town_a):
        rule = RetentionRule.objects.get(record_type="complaint")
        change = LogEntry.objects.get_for_object(rule).filter(action=LogEntry.Action.UPDATE).get()
        assert change.changes_dict["years"] == ["2", "5"]
        assert change.actor is not None


@pytest.mark.parametrize("bad", ["0", "21", "abc", "", "2.5"])
def test_bad_years_are_refused_with_a_reason_and_nothing_changes(town_a, bad):
    client = signed_in(town_a, "town_admin")
    answer = client.post(PAGE, {"record_type": "message", "years": bad})
    assert answer.status_code == 400
    body = answer.content.decode()
    assert "ระยะเวลาเก็บต้องเป็นจำนวนปี 1–20" in body and "Years must be a whole number, 1–20" in body
    assert years(town_a, "message") == 1


def test_an_unknown_kind_is_refused(town_a):
    answer = signed_in(town_a, "town_admin").post(PAGE, {"record_type": "receipt", "years": "3"})
    assert answer.status_code == 400
    assert "No such kind of record" in answer.content.decode()
    assert years(town_a, "receipt") is None


def test_only_a_town_admin_may_change_it(town_a):
    officer = signed_in(town_a, "officer")
    assert officer.get(PAGE).status_code == 403
    assert officer.post(PAGE, {"record_type": "complaint", "years": "9"}).status_code == 403
    assert years(town_a, "complaint") in (None, 2)


def test_one_towns_rule_is_not_anothers(town_a, town_b):
    signed_in(town_a, "town_admin").post(PAGE, {"record_type": "complaint", "years": "7"})
    assert years(town_a, "complaint") == 7
    assert years(town_b, "complaint") in (None, 2)
    assert 'value="2"' in signed_in(town_b, "town_admin").get(PAGE).content.decode()


def test_the_nightly_run_keeps_what_the_town_now_keeps_longer(town_a):
    signed_in(town_a, "town_admin").post(PAGE, {"record_type": "complaint", "years": "5"})
    with tenant_context(town_a):
        old = _complaint(malee(), "ถนนหน้าบ้านเป็นหลุมลึกมานานแล้ว")
        three_years_ago = timezone.now() - dt.timedelta(days=3 * 365)
        Complaint.objects.filter(pk=old.pk).update(status="closed", received_at=three_years_ago,
                                                   updated_at=three_years_ago)
        assert apply_retention()["complaint"] == 0  # 3 years old, kept for 5
        Complaint.objects.filter(pk=old.pk).update(received_at=three_years_ago - dt.timedelta(days=3 * 365),
                                                   updated_at=three_years_ago - dt.timedelta(days=3 * 365))
        assert apply_retention()["complaint"] == 1
    connection.set_schema_to_public()
    assert "1 รายการ" in signed_in(town_a, "town_admin").get(PAGE).content.decode()
