"""API base: token sign-in, error shape with Thai and English, OpenAPI schema per host."""

from __future__ import annotations

from django.test import Client
from django_tenants.utils import schema_context

from tests.factories import PASSWORD, make_user


def test_staff_obtain_a_token_and_use_it(town_a):
    with schema_context(town_a.schema_name):
        make_user(username="api-staff", roles=("officer",))
    client = Client(HTTP_HOST="alpha.localhost")
    token = client.post("/api/v1/auth/token/", {"username": "api-staff", "password": PASSWORD},
                        content_type="application/json").json()["token"]
    me = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}").json()
    assert me["username"] == "api-staff"
    assert me["roles"] == ["officer"]


def test_citizens_get_no_api_token(town_a):
    with schema_context(town_a.schema_name):
        make_user(username="api-citizen", kind="citizen")
    response = Client(HTTP_HOST="alpha.localhost").post(
        "/api/v1/auth/token/", {"username": "api-citizen", "password": PASSWORD}, content_type="application/json")
    assert response.status_code == 401


def test_errors_have_one_shape_in_thai_and_english(client_a):
    missing = client_a.post("/api/v1/auth/token/", {"username": ""}, content_type="application/json")
    assert missing.status_code == 400
    error = missing.json()["error"]
    assert error["code"] == "invalid"
    assert error["message_th"] == "ข้อมูลไม่ถูกต้อง"
    assert error["message_en"].startswith("The request contains")
    assert set(error["fields"]) == {"username", "password"}
    malformed = client_a.post("/api/v1/auth/token/", "{not json", content_type="application/json")
    assert malformed.status_code == 400
    assert malformed.json()["error"]["code"] == "parse_error"
    anonymous = client_a.get("/api/v1/me/")
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "not_authenticated"


def test_each_host_serves_its_own_openapi_schema(client_a, platform_client):
    town_schema = client_a.get("/api/v1/schema/?format=json").json()
    assert all(path.startswith("/api/v1/") for path in town_schema["paths"])
    platform_schema = platform_client.get("/api/platform/v1/schema/?format=json").json()
    assert all(path.startswith("/api/platform/v1/") for path in platform_schema["paths"])
    assert client_a.get("/api/v1/docs/").status_code == 200
    assert platform_client.get("/api/platform/v1/docs/").status_code == 200


def test_platform_token_for_dga_admins(platform_client):
    make_user(username="dga-api", kind="platform_admin")
    token = platform_client.post("/api/platform/v1/auth/token/", {"username": "dga-api", "password": PASSWORD},
                                 content_type="application/json").json()["token"]
    me = platform_client.get("/api/platform/v1/me/", HTTP_AUTHORIZATION=f"Token {token}").json()
    assert me["schema"] == "public"


def test_openapi_schemas_validate_without_warnings(tmp_path):
    """`spectacular --validate --fail-on-warn` for both APIs, as style.md asks of CI."""
    from django.core.management import call_command

    for urlconf in ("api.v1.schema_urlconf", "api.platform.schema_urlconf"):
        out = tmp_path / f"{urlconf}.yaml"
        call_command("spectacular", urlconf=urlconf, validate=True, fail_on_warn=True, file=str(out))
        assert out.read_text().startswith("openapi:")



def test_tokens_are_kept_only_as_digests_and_rotate_on_sign_in(town_a):
    """A copy of the database holds no usable token; signing in again retires the old token."""
    from rest_framework.authtoken.models import Token

    from api.tokens import digest

    with schema_context(town_a.schema_name):
        user = make_user(username="digest-staff", roles=("officer",))
    client = Client(HTTP_HOST="alpha.localhost")

    def sign_in() -> str:
        return client.post("/api/v1/auth/token/", {"username": "digest-staff", "password": PASSWORD},
                           content_type="application/json").json()["token"]

    def status(token: str) -> int:
        return client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}").status_code

    raw = sign_in()
    with schema_context(town_a.schema_name):
        stored = Token.objects.get(user=user).key
    assert stored == digest(raw) and raw not in stored
    assert status(stored) == 401  # the stored digest is not a token
    assert status(raw) == 200
    newer = sign_in()
    assert status(raw) == 401 and status(newer) == 200
