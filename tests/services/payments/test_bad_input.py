"""Bill look-up past its attempt limit with an empty or file-only POST: 429 with the message, not a 500."""

from __future__ import annotations

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from services.payments.views.portal import LOOKUP_LIMIT, _lookup_key


def test_lookup_over_the_limit_with_an_unbound_post(client_a, in_town_a):
    class Probe:
        META = {"REMOTE_ADDR": "127.0.0.1"}

    cache.set(_lookup_key(Probe), LOOKUP_LIMIT, 600)
    try:
        for data in ({}, {"upload": SimpleUploadedFile("x.bin", b"\xff\x00")}):
            response = client_a.post("/payments/", data)
            assert response.status_code == 429
            assert "Too many attempts" in response.content.decode()
    finally:
        connection.set_tenant(in_town_a)  # cache keys are per town
        cache.delete(_lookup_key(Probe))


def test_statement_upload_without_other_fields_shows_errors(client_a, in_town_a):
    from tests.factories import make_user

    client_a.force_login(make_user(roles=("finance_officer",)))
    response = client_a.post("/payments/staff/statements/", {"file": SimpleUploadedFile("s.csv", b"\xff\xfe")})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
