"""Links that leave the page (SMS, e-mail, QR, the neighbour's offer) carry the town's host and the
port the site is served on."""

from __future__ import annotations

import pytest

from services.common.links import absolute_url, town_url


@pytest.mark.parametrize(("port", "expected"), [
    ("", "http://alpha.localhost/complaints/t/x/"),
    ("8123", "http://alpha.localhost:8123/complaints/t/x/"),
    ("80", "http://alpha.localhost/complaints/t/x/"),
])
def test_the_public_port_is_kept(monkeypatch, port, expected):
    monkeypatch.setenv("THONGTHIN_PUBLIC_PORT", port)
    assert absolute_url("alpha.localhost", "/complaints/t/x/") == expected


def test_a_town_link_uses_the_current_towns_host(in_town_a, monkeypatch):
    monkeypatch.delenv("THONGTHIN_PUBLIC_PORT", raising=False)
    assert town_url("/complaints/") == f"http://{in_town_a.primary_host}/complaints/"


def test_production_links_are_https(settings, monkeypatch):
    monkeypatch.delenv("THONGTHIN_PUBLIC_PORT", raising=False)
    settings.DEBUG = False
    settings.PLATFORM_DOMAIN = "thongthin.go.th"
    assert absolute_url("bangsare.thongthin.go.th", "/") == "https://bangsare.thongthin.go.th/"


def test_a_town_link_from_a_task_or_schema_context_uses_the_towns_host_and_port(town_a, monkeypatch):
    """In a Celery task or `schema_context` the connection holds only the schema name: town_url
    reads the town from the registry (current_town) and keeps the configured port."""
    from django_tenants.utils import schema_context

    monkeypatch.setenv("THONGTHIN_PUBLIC_PORT", "8123")
    with schema_context(town_a.schema_name):
        assert town_url("/casework/verify/x/") == f"http://{town_a.primary_host}:8123/casework/verify/x/"


def test_a_town_link_on_the_public_schema_is_refused(db):
    from django.db import connection

    connection.set_schema_to_public()
    with pytest.raises(ValueError, match="public schema"):
        town_url("/x/")
