"""Sign-in, throttling, password reset and hashing, per host."""

from __future__ import annotations

import re

from django.contrib.auth.hashers import get_hasher
from django.core import mail
from django.test import Client, override_settings
from django_tenants.utils import schema_context

from tests.factories import PASSWORD, make_user


def test_staff_sign_in_by_username_or_email_and_out(town_a):
    with schema_context(town_a.schema_name):
        make_user(username="somsri", email="somsri@alpha.example.org")
    client = Client(HTTP_HOST="alpha.localhost")
    assert client.post("/accounts/login/", {"username": "somsri@alpha.example.org", "password": PASSWORD}).status_code == 302
    assert client.get("/staff/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/staff/").status_code == 302


def test_a_citizen_is_kept_out_of_the_back_office(town_a):
    with schema_context(town_a.schema_name):
        make_user(username="citizen1", kind="citizen")
    client = Client(HTTP_HOST="alpha.localhost")
    client.post("/accounts/login/", {"username": "citizen1", "password": PASSWORD})
    assert client.get("/staff/").status_code == 403


def test_repeated_failures_lock_the_account_on_that_host_only(town_a, town_b):
    for town in (town_a, town_b):
        with schema_context(town.schema_name):
            make_user(username="target")
    attacker = Client(HTTP_HOST="alpha.localhost", REMOTE_ADDR="198.51.100.7")
    for _ in range(5):
        attacker.post("/accounts/login/", {"username": "target", "password": "wrong-password"})
    locked = attacker.post("/accounts/login/", {"username": "target", "password": PASSWORD})
    assert locked.status_code == 429
    assert "ระงับการเข้าสู่ระบบชั่วคราว" in locked.content.decode()
    # Bang Sare's lockout does not lock the same name in another town.
    other = Client(HTTP_HOST="beta.localhost", REMOTE_ADDR="198.51.100.7")
    assert other.post("/accounts/login/", {"username": "target", "password": PASSWORD}).status_code == 302


def test_password_reset_by_email_works_within_the_town(town_a):
    with schema_context(town_a.schema_name):
        make_user(username="forgetful", email="forgetful@alpha.example.org")
    client = Client(HTTP_HOST="alpha.localhost")
    assert client.post("/accounts/password/reset/", {"email": "forgetful@alpha.example.org"}).status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://alpha\.localhost(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    set_url = form.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": "a-new-long-secret-2569", "new_password2": "a-new-long-secret-2569"})
    assert done.status_code == 302
    assert client.post("/accounts/login/", {"username": "forgetful", "password": "a-new-long-secret-2569"}).status_code == 302


def test_the_reset_link_takes_the_configured_site_address_not_the_request_host(town_a, monkeypatch):
    monkeypatch.setenv("THONGTHIN_PUBLIC_PORT", "8123")
    with schema_context(town_a.schema_name):
        make_user(username="porty", email="porty@alpha.example.org")
    # A request that arrived on another port (or with a forged Host port) must not steer the link.
    client = Client(HTTP_HOST="alpha.localhost:6666")
    assert client.post("/accounts/password/reset/", {"email": "porty@alpha.example.org"}).status_code == 302
    body = mail.outbox[0].body
    assert "http://alpha.localhost:8123/accounts/password/reset/" in body
    assert "6666" not in body


def test_a_staff_invitation_link_takes_the_configured_site_address(town_a, monkeypatch):
    monkeypatch.setenv("THONGTHIN_PUBLIC_PORT", "8123")
    from django_tenants.utils import tenant_context

    from services.accounts import actions
    from services.common.models import OutboxMessage

    with tenant_context(town_a):
        actions.invite_staff(by=None, email="new@alpha.example.org", first_name="ใหม่", last_name="ทดลอง", roles=[])
        body = OutboxMessage.objects.filter(recipient="new@alpha.example.org").latest("pk").body
    assert "http://alpha.localhost:8123/accounts/password/reset/" in body


def test_a_reset_link_from_one_town_does_not_work_on_another(town_a, town_b):
    with schema_context(town_a.schema_name):
        make_user(username="resetme", email="resetme@example.org")
    Client(HTTP_HOST="alpha.localhost").post("/accounts/password/reset/", {"email": "resetme@example.org"})
    path = re.search(r"http://alpha\.localhost(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    response = Client(HTTP_HOST="beta.localhost").get(path, follow=True)
    assert "ลิงก์หมดอายุหรือใช้ไปแล้ว" in response.content.decode()


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"])
def test_passwords_are_hashed_with_argon2(in_town_a):
    user = make_user(username="hashy")
    assert user.password.startswith("argon2$")
    assert get_hasher("argon2").verify(PASSWORD, user.password)


def test_dga_admins_sign_in_on_the_platform_only(town_a):
    make_user(username="dga-1", kind="platform_admin")
    platform = Client(HTTP_HOST="localhost")
    assert platform.post("/accounts/login/", {"username": "dga-1", "password": PASSWORD}).status_code == 302
    town = Client(HTTP_HOST="alpha.localhost")
    assert town.post("/accounts/login/", {"username": "dga-1", "password": PASSWORD}).status_code == 200
