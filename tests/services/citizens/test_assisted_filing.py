"""Counter staff and B-Buddy volunteers file food notifications and permits for a person; the person
gets the tracking link by SMS and takes the case over by signing in."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client

from services.casework import actions as case_actions
from services.casework.models import Case, CaseStatus
from services.citizens import assisted
from services.citizens.models import AssistedFiling
from services.citizens.my_requests import requests_of
from services.common.models import OutboxMessage
from tests.factories import make_user
from tests.services.casework import builders as b

from .conftest import OTHER_ID

pytestmark = pytest.mark.django_db
ELDER_ID = b.VALID_ID


def volunteer():
    return make_user(roles=("bbuddy_volunteer",), first_name="อาสา", last_name="บีบัดดี้")


def file_food(by, **overrides):
    return assisted.file_on_behalf(
        kind="food_notification", by=by, data=b.food_data(applicant_name="ยายบุญมี ศรีสุข", applicant_phone="0891234567",
                                                          **overrides),
        channel="bbuddy", identity_check="id_card", consent_in_person=True,
    )


def test_a_volunteer_files_records_who_how_and_consent_and_texts_the_link(in_town_a):
    buddy = volunteer()
    case, token = file_food(buddy)
    filing = AssistedFiling.objects.get(case=case)
    assert (filing.filed_by, filing.channel, filing.identity_check, filing.consent_in_person) == (
        buddy, "bbuddy", "id_card", True)
    assert filing.applicant_national_id == ELDER_ID and filing.consent_at is not None
    assert token not in filing.takeover_token_hash  # only its digest is kept
    sms = OutboxMessage.objects.get(idempotency_key=f"assisted-filing-{case.public_id}")
    assert sms.channel == "sms" and sms.recipient == "0891234567"
    assert f"/r/{token}/" in sms.body
    assert case.events.filter(message__contains="ยื่นแทนโดย อาสา บีบัดดี้").exists()
    # the volunteer completes it like an applicant: documents, then submit
    b.attach_required(case, buddy)
    submitted = case_actions.submit_case(case_id=case.pk, by=buddy)
    assert submitted.status == CaseStatus.SUBMITTED


@pytest.mark.parametrize("roles", [(), ("officer",), ("finance_officer",)])
def test_only_the_assisting_roles_may_file_for_someone(in_town_a, roles):
    with pytest.raises(PermissionDenied):
        file_food(make_user(roles=roles))
    assert not Case.objects.exists()


@pytest.mark.parametrize(("field", "value"), [("consent_in_person", False), ("identity_check", ""), ("channel", "x")])
def test_no_consent_or_no_identity_check_files_nothing(in_town_a, field, value):
    args = {"channel": "bbuddy", "identity_check": "id_card", "consent_in_person": True, field: value}
    with pytest.raises(ValidationError) as error:
        assisted.file_on_behalf(kind="food_notification", by=volunteer(), data=b.food_data(), **args)
    assert field in error.value.message_dict
    assert not Case.objects.exists() and not AssistedFiling.objects.exists()


def test_a_bad_national_id_is_refused_like_online(in_town_a):
    with pytest.raises(ValidationError):
        file_food(volunteer(), applicant_national_id="1234567890123")
    assert not AssistedFiling.objects.exists()


def test_the_person_takes_it_over_with_a_verified_id_and_the_volunteer_lets_go(in_town_a):
    buddy = volunteer()
    case, _token = file_food(buddy)
    elder = b.citizen(first_name="บุญมี", last_name="ศรีสุข", national_id=ELDER_ID, identity_provider="thaid",
                      identity_verified_at="2026-11-01T09:00:00+07:00")
    assert [f.case_id for f in assisted.awaiting_take_over(elder)] == [case.pk]
    assisted.take_over(filing_id=case.assisted_filing.pk, user=elder)
    case.refresh_from_db()
    assert case.applicant == elder
    assert [i.reference for i in requests_of(elder) if i.service == "food"]
    assert not assisted.awaiting_take_over(elder).exists()
    with pytest.raises(PermissionDenied):  # the volunteer is no longer the applicant
        b.attach_required(case, buddy)


def test_someone_else_cannot_take_it_over(in_town_a):
    case, token = file_food(volunteer())
    stranger = b.citizen(national_id=OTHER_ID, identity_provider="thaid", identity_verified_at="2026-11-01T09:00:00+07:00")
    with pytest.raises(PermissionDenied):
        assisted.take_over(filing_id=case.assisted_filing.pk, user=stranger, token=token)  # wrong person, even with the link
    local = b.citizen()
    with pytest.raises(PermissionDenied):
        assisted.take_over(filing_id=case.assisted_filing.pk, user=local)  # no proof at all
    with pytest.raises(PermissionDenied):
        assisted.take_over(filing_id=case.assisted_filing.pk, user=local, token="x" * 32)
    case.refresh_from_db()
    assert case.applicant != local and case.assisted_filing.taken_over_by is None


def test_the_sms_link_lets_a_local_account_take_it_over_once(in_town_a, client_a):
    case, token = file_food(volunteer())
    grandchild_phone_owner = b.citizen(first_name="บุญมี", last_name="ศรีสุข")
    page = client_a.get(f"/r/{token}/")
    assert page.status_code == 200 and "ยายบุญมี" not in page.content.decode()  # no personal data on the link page
    connection.set_tenant(in_town_a)
    assert client_a.post(f"/r/{token}/").status_code == 302  # to sign-in first
    connection.set_tenant(in_town_a)
    client_a.force_login(grandchild_phone_owner)
    connection.set_schema_to_public()
    response = client_a.post(f"/r/{token}/")
    assert response.status_code == 302 and str(case.public_id) in response["Location"]
    connection.set_tenant(in_town_a)
    case.refresh_from_db()
    assert case.applicant == grandchild_phone_owner
    other = b.citizen()
    with pytest.raises(ValidationError):
        assisted.take_over(filing_id=case.assisted_filing.pk, user=other, token=token)


def test_the_back_office_form_files_and_sends_to_documents(in_town_a, client_a):
    buddy = volunteer()
    client_a.force_login(buddy)
    connection.set_schema_to_public()
    assert client_a.get("/staff/assisted/").status_code == 200
    assert client_a.get("/staff/assisted/new/food_notification/").status_code == 200
    data = {k: v for k, v in b.food_data(applicant_name="ยายบุญมี ศรีสุข").items() if k != "hygiene_self_check"}
    data.update(channel="bbuddy", identity_check="id_card", hygiene_prep_height="on", hygiene_pests="on")
    refused = client_a.post("/staff/assisted/new/food_notification/", data)  # no consent ticked
    assert refused.status_code == 200 and "ยินยอม" in refused.content.decode()
    data["consent_in_person"] = "on"
    response = client_a.post("/staff/assisted/new/food_notification/", data)
    assert response.status_code == 302 and re.search(r"/food/mine/[0-9a-f-]+/", response["Location"])
    connection.set_tenant(in_town_a)
    assert AssistedFiling.objects.get().filed_by == buddy
    clerk = Client(HTTP_HOST="alpha.localhost")
    clerk.force_login(make_user(roles=("finance_officer",)))
    connection.set_schema_to_public()
    assert clerk.get("/staff/assisted/new/food_notification/").status_code == 403


def test_a_link_from_one_town_means_nothing_in_another(in_town_a, client_b):
    _case, token = file_food(volunteer())
    connection.set_schema_to_public()
    assert client_b.get(f"/r/{token}/").status_code == 404


def test_staff_see_the_verified_applicant_and_each_view_is_access_logged(in_town_a):
    from auditlog.models import LogEntry

    case, _token = file_food(volunteer())
    b.attach_required(case, case.applicant)
    case_actions.submit_case(case_id=case.pk, by=case.applicant)
    elder = b.citizen(national_id=ELDER_ID, identity_provider="thaid", identity_verified_at="2026-11-01T09:00:00+07:00")
    assisted.take_over(filing_id=case.assisted_filing.pk, user=elder)
    officer = make_user(roles=("public_health_officer",))
    staff = Client(HTTP_HOST="alpha.localhost")
    staff.force_login(officer)
    connection.set_schema_to_public()
    page = staff.get(f"/food/staff/{case.public_id}/")
    assert page.status_code == 200 and "ยืนยันตัวตนโดย ThaiD" in page.content.decode()
    connection.set_tenant(in_town_a)
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS, object_pk=str(case.pk)).exists()
