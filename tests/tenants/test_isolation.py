"""Cross-town isolation of sessions, files, API tokens and cache keys (tenancy rules 2–4)."""

from __future__ import annotations

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from api.tokens import issue_token
from services.common.files.actions import store_upload
from tests.factories import PASSWORD, make_user


def sign_in(client: Client, username: str) -> None:
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]


def test_a_town_account_cannot_sign_in_on_another_town(town_a, town_b):
    with schema_context(town_a.schema_name):
        user = make_user(username="somchai")
    client = Client(HTTP_HOST="beta.localhost")
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200
    assert "ไม่ถูกต้อง" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_session_cookie_from_one_town_is_ignored_by_another(town_a, town_b):
    with schema_context(town_a.schema_name):
        make_user(username="staff-a")
    client_a = Client(HTTP_HOST="alpha.localhost")
    sign_in(client_a, "staff-a")
    assert client_a.get("/staff/").status_code == 200
    stolen = client_a.cookies["sessionid"].value
    client_b = Client(HTTP_HOST="beta.localhost")
    client_b.cookies["sessionid"] = stolen
    response = client_b.get("/staff/")
    assert response.status_code == 302  # sent to sign in: the session does not exist here
    assert "/accounts/login/" in response["Location"]


def test_session_cookies_are_host_only(town_a):
    with schema_context(town_a.schema_name):
        make_user(username="staff-cookie")
    client = Client(HTTP_HOST="alpha.localhost")
    sign_in(client, "staff-cookie")
    cookie = client.cookies["sessionid"]
    assert cookie["domain"] == ""
    assert cookie["httponly"]


def test_a_file_of_one_town_is_not_found_on_another(town_a, town_b):
    with schema_context(town_a.schema_name):
        owner = make_user(username="uploader")
        stored = store_upload(SimpleUploadedFile("plan.pdf", b"%PDF-1.4 alpha", content_type="application/pdf"),
                              purpose="test", by=owner)
    client_a = Client(HTTP_HOST="alpha.localhost")
    sign_in(client_a, "uploader")
    response = client_a.get(f"/files/{stored.public_id}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 alpha"
    with schema_context(town_a.schema_name):
        # The storage location follows the active schema: the file sits under the town's folder.
        assert stored.file.path.split("/media/")[1].startswith(town_a.schema_name + "/")
    with schema_context(town_b.schema_name):
        make_user(username="uploader")
    client_b = Client(HTTP_HOST="beta.localhost")
    sign_in(client_b, "uploader")
    assert client_b.get(f"/files/{stored.public_id}/").status_code == 404


def test_a_private_file_is_hidden_from_other_people_of_the_same_town(town_a):
    with schema_context(town_a.schema_name):
        owner = make_user(username="owner1")
        make_user(username="neighbour", kind="citizen")
        stored = store_upload(SimpleUploadedFile("id.jpg", b"\xff\xd8secret", content_type="image/jpeg"),
                              purpose="test", by=owner)
    anonymous = Client(HTTP_HOST="alpha.localhost")
    assert anonymous.get(f"/files/{stored.public_id}/").status_code == 404
    neighbour = Client(HTTP_HOST="alpha.localhost")
    sign_in(neighbour, "neighbour")
    assert neighbour.get(f"/files/{stored.public_id}/").status_code == 403


def test_an_api_token_of_one_town_is_refused_by_another(town_a, town_b):
    with schema_context(town_a.schema_name):
        user = make_user(username="api-user")
        key = issue_token(user)
    ok = Client(HTTP_HOST="alpha.localhost").get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert ok.status_code == 200
    assert ok.json()["schema"] == town_a.schema_name
    refused = Client(HTTP_HOST="beta.localhost").get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert refused.status_code == 401
    body = refused.json()["error"]
    assert body["code"] == "authentication_failed"
    assert body["message_th"] and body["message_en"]


def test_a_town_token_is_refused_on_the_platform_api(town_a):
    with schema_context(town_a.schema_name):
        key = issue_token(make_user(username="api-user2"))
    response = Client(HTTP_HOST="localhost").get("/api/platform/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 401


def test_cache_keys_carry_the_schema(town_a, town_b):
    import uuid

    key = f"greeting-{uuid.uuid4().hex}"  # the cache may be a shared Redis that outlives test runs
    with schema_context(town_a.schema_name):
        cache.set(key, "alpha", 60)
    with schema_context(town_b.schema_name):
        assert cache.get(key) is None
        cache.set(key, "beta", 60)
    with schema_context(town_a.schema_name):
        assert cache.get(key) == "alpha"
        cache.delete(key)
    with schema_context(town_b.schema_name):
        cache.delete(key)
    assert connection.schema_name == "public"


def test_roles_are_seeded_in_every_town_and_not_on_the_platform(town_a, town_b):
    from django.contrib.auth.models import Group

    from services.accounts.roles import ROLE_CODES

    for town in (town_a, town_b):
        with schema_context(town.schema_name):
            assert set(Group.objects.values_list("name", flat=True)) >= ROLE_CODES
            admin = Group.objects.get(name="town_admin")
            assert admin.permissions.filter(codename="view_audit_trail").exists()
    assert not Group.objects.filter(name="town_admin").exists()


def test_an_app_can_open_its_private_files_to_the_people_concerned(town_a, monkeypatch):
    from django.apps import apps

    config = apps.get_app_config("common")
    monkeypatch.setattr(config, "file_access", {"case-docs": lambda user, stored: user.username == "reviewer"},
                        raising=False)
    with schema_context(town_a.schema_name):
        owner = make_user(username="applicant", kind="citizen")
        make_user(username="reviewer", kind="citizen")
        make_user(username="stranger", kind="citizen")
        stored = store_upload(SimpleUploadedFile("deed.pdf", b"%PDF-1.4 deed", content_type="application/pdf"),
                              purpose="case-docs/42", by=owner)
    for username, expected in (("reviewer", 200), ("stranger", 403)):
        client = Client(HTTP_HOST="alpha.localhost")
        sign_in(client, username)
        assert client.get(f"/files/{stored.public_id}/").status_code == expected
