"""A draft written on a phone carries its own key: sent twice (a lost answer, Background Sync and
the page both sending, two sends at the same moment) it is one case, never two. Through the real URL
routing of a town host."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from django.db import connection, connections, transaction
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from services.common.buddhist_era import be_year
from services.common.models import NumberSeries, OutboxMessage, StoredFile
from services.complaints.models import Category, Complaint, Holiday, HolidayYear

from .conftest import INSIDE_A, OUTSIDE_A

JSON = {"HTTP_ACCEPT": "application/json"}


def _draft(category: Category, key: uuid.UUID | str, *, point=INSIDE_A, **overrides) -> dict:
    data = {
        "filing_key": str(key),
        "category": category.pk,
        "description": "ท่อระบายน้ำอุดตัน น้ำท่วมขังหน้าบ้าน",
        "latitude": str(point[0]),
        "longitude": str(point[1]),
        "reporter_name": "สมศรี มีสุข",
        "reporter_phone": "0812345678",
        "consent": "on",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_the_same_draft_sent_twice_is_one_case(client_a, in_town_a):
    category = Category.objects.get(code="road")
    key = uuid.uuid4()
    first = client_a.post("/complaints/new/", _draft(category, key), **JSON)
    again = client_a.post("/complaints/new/", _draft(category, key), **JSON)
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["repeat"] is True
    assert first.json()["tracking_code"] == again.json()["tracking_code"]
    assert Complaint.objects.filter(filing_key=key).count() == 1
    # The sender was granted the case: its tracking page opens without the look-up.
    page = client_a.get(first.json()["url"])
    assert page.status_code == 200
    assert first.json()["tracking_code"] in page.content.decode()


@pytest.mark.django_db
def test_a_plain_form_sent_twice_lands_on_the_same_tracking_page(client_a, in_town_a):
    category = Category.objects.get(code="road")
    key = uuid.uuid4()
    first = client_a.post("/complaints/new/", _draft(category, key))
    again = client_a.post("/complaints/new/", _draft(category, key))
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert Complaint.objects.count() == 1


@pytest.mark.django_db
def test_a_draft_filed_before_its_category_was_closed_still_answers_with_its_case(client_a, in_town_a):
    category = Category.objects.get(code="road")
    key = uuid.uuid4()
    code = client_a.post("/complaints/new/", _draft(category, key), **JSON).json()["tracking_code"]
    Category.objects.filter(pk=category.pk).update(is_active=False)
    again = client_a.post("/complaints/new/", _draft(category, key), **JSON)
    assert again.status_code == 200
    assert again.json()["tracking_code"] == code


@pytest.mark.django_db
def test_a_draft_whose_category_the_town_closed_is_refused_clearly_and_files_nothing(client_a, in_town_a):
    category = Category.objects.get(code="road")
    Category.objects.filter(pk=category.pk).update(is_active=False)
    response = client_a.post("/complaints/new/", _draft(category, uuid.uuid4()), **JSON)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "category_changed"
    assert "changed its categories" in body["message"]
    assert "ประเภทเรื่องที่เลือกไว้ถูกเปลี่ยน" in body["message"]
    assert Complaint.objects.count() == 0


@pytest.mark.django_db
def test_a_draft_with_other_mistakes_gets_field_errors_as_json(client_a, in_town_a):
    category = Category.objects.get(code="road")
    response = client_a.post(
        "/complaints/new/", _draft(category, uuid.uuid4(), description="", reporter_phone="12"), **JSON
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == ""
    assert set(body["errors"]) >= {"description"}
    assert Complaint.objects.count() == 0


@pytest.mark.django_db
def test_a_key_that_is_not_a_uuid_is_a_400(client_a, in_town_a):
    category = Category.objects.get(code="road")
    response = client_a.post("/complaints/new/", _draft(category, "not-a-key'; drop table"), **JSON)
    assert response.status_code == 400
    assert "filing_key" in response.json()["errors"]
    assert Complaint.objects.count() == 0


@pytest.mark.django_db
def test_one_key_in_two_towns_is_two_cases_each_in_its_own_town(client_a, client_b, town_a, town_b):
    key = uuid.uuid4()
    with tenant_context(town_a):
        road_a = Category.objects.get(code="road")
    with tenant_context(town_b):
        road_b = Category.objects.get(code="road")
    in_a = client_a.post("/complaints/new/", _draft(road_a, key), **JSON)
    in_b = client_b.post("/complaints/new/", _draft(road_b, key, point=OUTSIDE_A), **JSON)
    assert in_a.status_code == in_b.status_code == 201
    assert in_a.json()["tracking_code"].startswith("ALP-")
    assert in_b.json()["tracking_code"].startswith("BET-")
    with tenant_context(town_a):
        assert list(Complaint.objects.values_list("tracking_code", flat=True)) == [in_a.json()["tracking_code"]]
    with tenant_context(town_b):
        assert list(Complaint.objects.values_list("tracking_code", flat=True)) == [in_b.json()["tracking_code"]]


@pytest.mark.django_db
def test_the_token_endpoint_lets_an_old_draft_pass_the_csrf_check(town_a, in_town_a):
    category = Category.objects.get(code="road")
    phone = Client(HTTP_HOST="alpha.localhost", enforce_csrf_checks=True)
    refused = phone.post("/complaints/new/", _draft(category, uuid.uuid4()), **JSON)
    assert refused.status_code == 403
    token = phone.get("/complaints/new/token/")
    assert token["Cache-Control"].startswith("max-age=0")
    response = phone.post(
        "/complaints/new/", _draft(category, uuid.uuid4()), HTTP_X_CSRFTOKEN=token.json()["csrf"], **JSON
    )
    assert response.status_code == 201


def _wait_for_lock_waiters(count: int, *, timeout: float = 180) -> None:
    deadline = time.time() + timeout
    with connections["default"].cursor() as cursor:
        while time.time() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # the view is a snapshot per transaction
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0] >= count:
                return
            time.sleep(0.05)
    raise AssertionError(f"{count} filings never queued on the number lock")


def test_two_sends_of_one_draft_at_the_same_moment_file_one_case(django_db_setup, django_db_blocker):
    """Both posts pass the "already filed?" look-up before either has committed: they queue on the
    tracking-number lock the test holds, and the second, finding the key taken, answers with the
    first's case. The number it had taken goes back (gapless)."""
    from tenants.models import Municipality

    with django_db_blocker.unblock():
        town = Municipality.objects.get(slug="beta")
        key = uuid.uuid4()
        year = str(be_year(timezone.now()))
        try:
            with tenant_context(town):
                NumberSeries.objects.get_or_create(series="complaint", period=year, defaults={"last_value": 0})
                category_pk = Category.objects.get(code="road").pk
            # Load the URL configuration and views once, so both sends reach the lock promptly.
            assert Client(HTTP_HOST="beta.localhost").get("/complaints/new/").status_code == 200
            data = {**_draft(Category(pk=category_pk), key, point=OUTSIDE_A)}
            answers: list = []
            errors: list[BaseException] = []

            def send(phone_number: str) -> None:
                try:
                    client = Client(HTTP_HOST="beta.localhost")
                    answers.append(client.post("/complaints/new/", {**data, "reporter_phone": phone_number}, **JSON))
                except BaseException as exc:  # reported by the assertion below
                    errors.append(exc)
                finally:
                    connections.close_all()

            with tenant_context(town), transaction.atomic():
                NumberSeries.objects.select_for_update().get(series="complaint", period=year)
                threads = [
                    threading.Thread(target=send, args=(p,), daemon=True) for p in ("0812345678", "0812345679")
                ]
                for thread in threads:
                    thread.start()
                _wait_for_lock_waiters(2)
            for thread in threads:
                thread.join(timeout=60)
            assert not errors, errors
            assert sorted(a.status_code for a in answers) == [200, 201]
            assert answers[0].json()["tracking_code"] == answers[1].json()["tracking_code"]
            with tenant_context(town):
                assert Complaint.objects.filter(filing_key=key).count() == 1
                assert NumberSeries.objects.get(series="complaint", period=year).last_value == 1
        finally:
            with tenant_context(town):
                for complaint in Complaint.objects.all():
                    complaint.photos.all().delete()
                    complaint.events.all().delete()
                Complaint.objects.all().delete()
                StoredFile.objects.filter(purpose="complaints").delete()
                OutboxMessage.objects.all().delete()
                NumberSeries.objects.filter(series="complaint").delete()
                Holiday.objects.all().delete()
                HolidayYear.objects.all().delete()
            connection.set_schema_to_public()

