"""Host → schema routing: tenancy rule 1 and the bad-host cases of the foundation issue."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tenants.directory import directory
from tenants.models import Domain, MunicipalityStatus


def test_platform_host_serves_the_platform(platform_client):
    response = platform_client.get("/")
    assert response.status_code == 200
    assert "ท้องถิ่นดิจิทัล" in response.content.decode()


def test_each_town_host_serves_its_own_portal(client_a, client_b):
    assert "เทศบาลตำบลอัลฟา" in client_a.get("/").content.decode()
    page_b = client_b.get("/").content.decode()
    assert "เทศบาลตำบลเบตา" in page_b
    assert "เทศบาลตำบลอัลฟา" not in page_b


def test_unknown_host_gets_a_friendly_404_page(db):
    response = Client(HTTP_HOST="nowhere.localhost").get("/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "ไม่พบหน่วยงานนี้" in body
    assert "No such municipality" in body


@pytest.mark.parametrize("host", ["bad host", "alpha.localhost:abc", "exa mple.com", "[::1"])
def test_malformed_host_header_is_a_400_not_a_500(db, host):
    response = Client(HTTP_HOST=host).get("/")
    assert response.status_code == 400


def test_host_resolution_is_case_insensitive_and_ignores_trailing_dot(town_a):
    assert Client(HTTP_HOST="ALPHA.localhost.").get("/").status_code == 200


def test_a_draft_town_is_not_reachable(town_a):
    town_a.status = MunicipalityStatus.DRAFT
    town_a.save()
    assert Client(HTTP_HOST="alpha.localhost").get("/").status_code == 404


def test_suspended_town_shows_a_notice_and_nobody_can_sign_in(town_a):
    town_a.status = MunicipalityStatus.SUSPENDED
    town_a.save()
    client = Client(HTTP_HOST="alpha.localhost")
    home = client.get("/")
    assert home.status_code == 503
    assert "ระงับการให้บริการออนไลน์ชั่วคราว" in home.content.decode()
    login = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert login.status_code == 503
    assert client.get("/healthz").status_code == 200


def test_warm_host_resolution_makes_no_query(town_a):
    directory.resolve("alpha.localhost")  # warm
    with CaptureQueriesContext(connection) as queries:
        for _ in range(50):
            assert directory.resolve("alpha.localhost").slug == "alpha"
            assert directory.resolve("nowhere.localhost") is None
    # The unknown host costs one query the first time only; the known one none.
    selects = [q["sql"] for q in queries if q["sql"].startswith("SELECT")]
    assert len(selects) == 1 and "nowhere.localhost" in selects[0]


def test_warm_request_makes_no_routing_query(client_a):
    client_a.get("/healthz")
    with CaptureQueriesContext(connection) as queries:
        client_a.get("/healthz")
    assert not [q for q in queries if "tenants_domain" in q["sql"]]


def test_a_new_domain_is_served_at_once(town_a):
    client = Client(HTTP_HOST="alpha-city.example.org")
    assert client.get("/").status_code == 404  # cached as unknown
    Domain.objects.create(domain="alpha-city.example.org", tenant=town_a, is_primary=False)
    assert client.get("/").status_code == 200


def test_renaming_a_town_invalidates_the_cache(town_a, client_a):
    assert "เทศบาลตำบลอัลฟา" in client_a.get("/").content.decode()
    town_a.name_th = "เทศบาลเมืองอัลฟาใหม่"
    town_a.save()
    assert "เทศบาลเมืองอัลฟาใหม่" in client_a.get("/").content.decode()


def test_another_process_notices_a_change_through_the_generation_counter(town_a, settings):
    settings.TENANT_CACHE_CHECK_SECONDS = 0
    directory.resolve("alpha.localhost")
    # Simulate a change made by another process: only the shared generation moves.
    directory._write_shared_generation("changed-elsewhere")
    directory._hosts["alpha.localhost"] = None  # stale local answer
    assert directory.resolve("alpha.localhost") is not None


def test_schema_name_cannot_change(town_a):
    from django.core.exceptions import ValidationError

    town_a.schema_name = "town_other"
    with pytest.raises(ValidationError):
        town_a.save()


def test_a_streamed_response_is_read_in_the_towns_schema(town_a):
    """A CSV export streams after the middleware returns: its rows must still come from the town."""
    from django.http import StreamingHttpResponse
    from django.test import RequestFactory

    from tenants.middleware import TownRoutingMiddleware

    def view(request):
        def rows():
            yield connection.schema_name.encode()

        return StreamingHttpResponse(rows())

    response = TownRoutingMiddleware(view)(RequestFactory().get("/", HTTP_HOST="alpha.localhost"))
    assert connection.schema_name == "public"
    assert b"".join(response.streaming_content) == town_a.schema_name.encode()
    assert connection.schema_name == "public"


def test_nul_characters_in_parameters_get_a_clear_400(client_a):
    response = client_a.get("/", {"q": "abc\x00def"})
    assert response.status_code == 400
    assert "NUL" in response.content.decode()
    # In forms, Django's CharField refuses NUL itself: a field error, not a server error.
    assert client_a.post("/accounts/login/", {"username": "a\x00b", "password": "x"}).status_code == 200
