"""/api/platform/v1/municipalities/: token auth, the wizard's validation, provisioning status."""

from __future__ import annotations

import pytest
from django.db import connection
from rest_framework.test import APIClient

from api.tokens import issue_token
from onboarding.pipeline import run_job
from tenants.models import Municipality
from tests.factories import make_user

from .conftest import make_spec

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    connection.set_schema_to_public()
    admin = make_user(kind="platform_admin", username="dga-api")
    client = APIClient(HTTP_HOST="localhost")
    client.credentials(HTTP_AUTHORIZATION="Token " + issue_token(admin))
    return client


def test_without_a_platform_token_nothing_is_served(town_a, in_town_a):
    staff = make_user(roles=("town_admin",))
    town_token = issue_token(staff)
    connection.set_schema_to_public()
    client = APIClient(HTTP_HOST="localhost")
    assert client.get("/api/platform/v1/municipalities/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION="Token " + town_token)  # a town's token means nothing here
    assert client.get("/api/platform/v1/municipalities/").status_code == 401


def test_list_and_filter(api, town_a, town_b):
    body = api.get("/api/platform/v1/municipalities/", {"q": "beta"}).json()
    assert [t["slug"] for t in body["results"]] == ["beta"]
    assert body["results"][0]["host"] == "beta.localhost"


def test_create_validates_like_the_wizard_and_writes_nothing_on_error(api):
    before = Municipality.objects.count()
    response = api.post(
        "/api/platform/v1/municipalities/", make_spec(tax_id="0994000158042", slug="www"), format="json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "tax_id" in error["fields"]
    assert "slug" in error["fields"]
    assert Municipality.objects.count() == before


def test_create_provision_and_follow_the_status(api, schema_template):
    spec = make_spec()
    response = api.post("/api/platform/v1/municipalities/", spec, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "draft"
    response = api.post(f"/api/platform/v1/municipalities/{spec['slug']}/provision/")
    assert response.status_code == 202
    assert response.json()["job_status"] == "queued"
    town = Municipality.objects.get(slug=spec["slug"])
    run_job(town.provisioning_jobs.get().pk)  # what the worker does
    status = api.get(f"/api/platform/v1/municipalities/{spec['slug']}/status/").json()
    assert status["status"] == "live"
    assert status["job_status"] == "done"
    assert [s["name"] for s in status["steps"]][:2] == ["schema", "roles"]
    assert all(s["state"] == "done" for s in status["steps"])


def test_suspend_and_reactivate(api, town_a):
    assert (
        api.post("/api/platform/v1/municipalities/alpha/suspend/", {"reason": "x"}, format="json").status_code
        == 400
    )
    response = api.post(
        "/api/platform/v1/municipalities/alpha/suspend/", {"reason": "ตรวจสอบความปลอดภัย"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "suspended"
    again = api.post(
        "/api/platform/v1/municipalities/alpha/suspend/", {"reason": "ตรวจสอบความปลอดภัย"}, format="json"
    )
    assert again.status_code == 409
    assert (
        api.post(
            "/api/platform/v1/municipalities/alpha/reactivate/", {"reason": "เรียบร้อย"}, format="json"
        ).json()["status"]
        == "live"
    )


def test_the_endpoints_are_in_the_openapi_schema(api):
    schema = api.get("/api/platform/v1/schema/").content.decode()
    for path in (
        "/api/platform/v1/municipalities/",
        "/api/platform/v1/municipalities/{slug}/provision/",
        "/api/platform/v1/municipalities/{slug}/status/",
        "/api/platform/v1/municipalities/{slug}/suspend/",
    ):
        assert path in schema


def _ring(vertices: int, lon: float = 100.88, lat: float = 12.73, size: float = 0.05) -> list:
    """A valid square ring inside Thailand with `vertices` points along its bottom edge."""
    step = size / vertices
    bottom = [[round(lon + i * step, 9), lat] for i in range(vertices)]
    return [*bottom, [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]


def test_a_100000_vertex_boundary_is_refused_by_the_api_as_by_the_upload(api):
    before = Municipality.objects.count()
    spec = make_spec(boundary={"type": "Polygon", "coordinates": [_ring(100_000)]})
    response = api.post("/api/platform/v1/municipalities/", spec, format="json")
    assert response.status_code in (400, 413)
    assert "boundary" in response.content.decode() or response.status_code == 413
    assert Municipality.objects.count() == before


def test_a_boundary_over_the_vertex_cap_is_refused_even_when_small_in_bytes(api, settings):
    from onboarding import boundary

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
    spec = make_spec(boundary={"type": "Polygon", "coordinates": [_ring(boundary.MAX_VERTICES + 10)]})
    response = api.post("/api/platform/v1/municipalities/", spec, format="json")
    assert response.status_code == 400
    assert "boundary" in response.json()["error"]["fields"]
