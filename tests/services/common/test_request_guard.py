"""Hostile input refused once, before any view: NUL in the path, deep JSON, oversized JSON."""

from __future__ import annotations

import json

import pytest

from services.common.request_guard import MAX_JSON_DEPTH, json_depth_exceeds
from tests.factories import make_user

NUL_PATHS = [
    "/complaints/track/ALP%00X/",
    "/complaints/t/abc%00/",
    "/permits/verify/abc%00def/",
    "/food/verify/abc%00def/",
    "/payments/staff/invoices/INV%0001/",
    "/payments/staff/payers/H%0001/",
    "/payments/staff/payers/H%0001/edit/",
    "/complaints/board/stop/x%00y/",
    "/api/v1/permits/verify/abc%00/",
    "/api/v1/food/verify/abc%00/",
    "/api/v1/payments/invoices/INV%0001/",
    "/api/v1/payments/confirmations/scb/tok%00en/",
    "/open311/v2/requests/ALP%00.json",
    "/open311/v2/tokens/x%00.json",
]


@pytest.mark.parametrize("path", NUL_PATHS)
def test_a_nul_in_the_path_is_a_400_never_a_500(client_a, in_town_a, path):
    client_a.force_login(make_user(roles=("town_admin", "finance_officer", "building_engineer")))
    response = client_a.get(path)
    assert response.status_code == 400, path
    if "/open311/" in path:
        assert response.json()[0]["code"] == 400
    elif "/api/" in path:
        assert response.json()["error"]["code"] == "invalid"
    else:
        assert "NUL" in response.content.decode()


DEEP = b"[" * 100_000


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/auth/token/",
        "/api/v1/oss/holidays/",
        "/api/v1/permits/applications/",
        "/api/v1/saraban/letters/",
    ],
)
def test_deeply_nested_json_is_a_400_on_the_town_api(client_a, path):
    response = client_a.post(path, DEEP, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert "nested" in response.json()["error"]["message_en"]


def test_deeply_nested_json_is_a_400_on_the_platform_api(platform_client):
    for path in ("/api/platform/v1/auth/token/", "/api/platform/v1/municipalities/"):
        response = platform_client.post(path, DEEP, content_type="application/json")
        assert response.status_code == 400, path


def test_deep_json_sent_as_text_plain_is_refused_too(client_a):
    assert client_a.post("/api/v1/auth/token/", DEEP, content_type="text/plain").status_code == 400


def test_a_body_over_the_limit_is_a_413_before_a_parser_reads_it(platform_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    body = json.dumps({"boundary": {"type": "Polygon", "coordinates": [[[100.0, 13.0]] * 200_000]}})
    response = platform_client.post("/api/platform/v1/municipalities/", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_nul_in_a_form_encoded_open311_post_is_refused(client_a):
    response = client_a.post(
        "/open311/v2/requests.json", "service_code=a%00b&lat=1&long=2",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert response.json()[0]["code"] == 400


def test_brackets_inside_strings_do_not_count():
    inside = json.dumps({"note": "[" * 1000 + '\\"' + "{" * 1000}).encode()
    assert not json_depth_exceeds(inside, MAX_JSON_DEPTH)
    assert json_depth_exceeds(b'{"a":' * (MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)
    assert not json_depth_exceeds(b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH, MAX_JSON_DEPTH)
