"""Day-one details every page shares: favicon, role names, salutations, where staff land, the
portal's e-Saraban tile, public links with the configured port."""

from __future__ import annotations

import pytest
from django.test import Client

from services.common.thai_names import polite_name
from tests.factories import PASSWORD, make_user


def test_favicon_is_answered_on_every_host(client_a, platform_client):
    for client in (client_a, platform_client):
        response = client.get("/favicon.ico")
        assert response.status_code == 301
        assert response["Location"].endswith(".ico")
    assert 'rel="icon"' in client_a.get("/").content.decode()


@pytest.mark.parametrize(
    ("name", "expected"),
    [("สมชาย ใจดี", "คุณสมชาย ใจดี"), ("นายสมชาย ใจดี", "นายสมชาย ใจดี"), ("นางสาวสมศรี ดี", "นางสาวสมศรี ดี"),
     ("ดร.สมหญิง เก่ง", "ดร.สมหญิง เก่ง"), ("", "ท่าน")],
)
def test_khun_is_not_put_before_a_title(name, expected):
    assert polite_name(name) == expected


def test_staff_land_on_the_staff_home_and_read_role_names(town_a, in_town_a):
    from django.db import connection

    make_user(username="admin-landing", roles=("town_admin",))
    connection.set_schema_to_public()
    client = Client(HTTP_HOST="alpha.localhost")
    response = client.post("/accounts/login/", {"username": "admin-landing", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/staff/"
    home = client.get("/staff/").content.decode()
    assert "ผู้ดูแลระบบ" in home
    assert "town_admin" not in home


def test_citizens_still_land_on_the_portal(town_a, in_town_a):
    from django.db import connection

    make_user(username="citizen-landing", kind="citizen")
    connection.set_schema_to_public()
    response = Client(HTTP_HOST="alpha.localhost").post(
        "/accounts/login/", {"username": "citizen-landing", "password": PASSWORD}
    )
    assert response["Location"] == "/"


def test_the_portal_does_not_call_e_saraban_coming_soon(client_a):
    page = client_a.get("/").content.decode()
    assert "เร็ว ๆ นี้" not in page
    assert 'href="/saraban/"' in page


def test_payment_links_in_text_messages_carry_the_configured_port(in_town_a, monkeypatch):
    from services.payments.actions import invoices

    monkeypatch.setenv("THONGTHIN_PUBLIC_PORT", "8123")
    assert invoices.town_url(invoices.reverse("payments:portal")).startswith("http://alpha.localhost:8123/")


def test_the_platform_console_follows_the_language_switch(platform_client):
    from django.conf import settings

    platform_client.force_login(make_user(username="dga-lang", kind="platform_admin"))
    thai = platform_client.get("/").content.decode()
    assert "หน่วยงานบนแพลตฟอร์ม" in thai and "Towns on the platform" not in thai
    platform_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = platform_client.get("/").content.decode()
    assert "Towns on the platform" in english and "หน่วยงานบนแพลตฟอร์ม" not in english


def test_english_pages_name_categories_in_english(client_a, in_town_a):
    from django.conf import settings
    from django.db import connection

    from services.complaints.models import Category

    road = Category.objects.get(code="road")
    connection.set_schema_to_public()
    client_a.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client_a.get("/complaints/new/").content.decode()
    assert road.name_en in page
