"""Statutory clocks are escalated before they run out; lapsed notifications become void."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from services.casework import actions
from services.casework.models import Case, CaseStatus
from services.casework.working_days import add_working_days
from services.common.models import OutboxMessage
from tests.factories import make_user
from tests.services.casework import builders as b

pytestmark = pytest.mark.usefixtures("in_town_a")


def test_department_heads_are_warned_then_executives_when_due(in_town_a):
    head = make_user(roles=("department_head",), email="head@alpha.example.org")
    boss = make_user(roles=("executive",), email="mayor@alpha.example.org")
    case = b.submitted_permit()
    actions.accept_case(case_id=case.pk, by=b.engineer())
    Case.objects.filter(pk=case.pk).update(due_date=actions.today() + dt.timedelta(days=5))
    assert actions.escalate_due_cases() == 1
    assert OutboxMessage.objects.filter(recipient=head.email, subject__contains=case.tracking_code).exists()
    assert not OutboxMessage.objects.filter(recipient=boss.email).exists()
    assert actions.escalate_due_cases() == 0  # sent once per level
    later = timezone.now() + dt.timedelta(days=5)
    assert actions.escalate_due_cases(now=later) == 1
    assert OutboxMessage.objects.filter(recipient=boss.email, subject__contains=case.tracking_code).exists()
    assert Case.objects.get(pk=case.pk).escalation_level == 2
    assert case.events.filter(kind="escalation", is_public=False).count() == 2


def test_cases_not_near_their_deadline_are_left_alone():
    case = b.submitted_permit()
    actions.accept_case(case_id=case.pk, by=b.engineer())
    assert actions.escalate_due_cases() == 0


def test_a_returned_notification_not_fixed_in_7_working_days_becomes_void():
    case = b.submitted_food()
    actions.return_for_fixes(case_id=case.pk, by=b.health_officer(), items=[{"text": "ขาดแผนที่"}])
    case.refresh_from_db()
    assert case.applicant_due_date == add_working_days(actions.today(), 7)
    assert actions.void_lapsed_returns() == 0
    assert actions.void_lapsed_returns(now=timezone.now() + dt.timedelta(days=20)) == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.VOID


def test_returned_permits_do_not_lapse():
    case = b.submitted_permit()
    actions.return_for_fixes(case_id=case.pk, by=b.engineer(), items=[{"text": "ขาดแบบ"}])
    assert actions.void_lapsed_returns(now=timezone.now() + dt.timedelta(days=400)) == 0
