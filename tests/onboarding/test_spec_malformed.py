"""A town spec with the wrong JSON shapes (found by API fuzzing) is a 400 with the field named, not a 500."""

from __future__ import annotations

import pytest

from api.tokens import issue_token
from onboarding.spec import SpecInvalid, validate_town_spec
from tenants.models import Municipality
from tests.factories import make_user

from .conftest import make_spec

pytestmark = pytest.mark.django_db


def errors_for(spec: dict) -> dict:
    with pytest.raises(SpecInvalid) as caught:
        validate_town_spec(spec)
    return caught.value.errors


def test_admin_that_is_not_an_object():
    assert "admin must be an object" in " ".join(errors_for(make_spec(admin=["x", "y"]))["admin"])


def test_staff_and_department_rows_that_are_not_objects():
    errors = errors_for(make_spec(staff=[[None, None]], departments=[[None, None]]))
    assert "must be an object" in errors["staff.1"][0]
    assert any("must be an object" in message for message in errors["departments"])


def test_roles_that_are_not_strings():
    spec = make_spec()
    spec["staff"] = [{**spec["staff"][0], "roles": [{"code": "officer"}]}] if spec.get("staff") else [
        {"name": "สมหญิง ใจดี", "email": "somying@example.org", "roles": [{"code": "officer"}]}]
    assert "Unknown role" in errors_for(spec)["staff.1"][0]


def test_the_api_takes_json_only_and_answers_400_for_bad_shapes(platform_client):
    token = issue_token(make_user(username="dga-shapes", kind="platform_admin"))
    auth = {"HTTP_AUTHORIZATION": f"Token {token}"}
    before = Municipality.objects.count()
    form = platform_client.post("/api/platform/v1/municipalities/", {"name_th": "x", "admin": "{}"}, **auth)
    assert form.status_code == 415
    bad = platform_client.post("/api/platform/v1/municipalities/", {**make_spec(), "admin": [1], "staff": [[None]]},
                               content_type="application/json", **auth)
    assert bad.status_code == 400
    assert {"admin", "staff.1"} <= set(bad.json()["error"]["fields"])
    assert Municipality.objects.count() == before


def test_a_nul_character_in_the_search_is_harmless(platform_client):
    token = issue_token(make_user(username="dga-nul", kind="platform_admin"))
    response = platform_client.get("/api/platform/v1/municipalities/", {"q": "al\x00pha", "province": "\x00"},
                                   HTTP_AUTHORIZATION=f"Token {token}")
    # Refused once for every view, before any query runs (services/common/request_guard.py).
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_a_boundary_file_that_is_not_utf8_is_a_field_error():
    from django.core.exceptions import ValidationError

    from onboarding.boundary import parse_boundary

    with pytest.raises(ValidationError) as caught:
        parse_boundary(b"\xff\xa8\x00not json")
    assert "not UTF-8" in caught.value.messages[0]
    assert caught.value.code == "boundary_json"
