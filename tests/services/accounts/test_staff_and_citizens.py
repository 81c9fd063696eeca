"""Town admins manage staff and roles; residents sign up on their town's portal."""

from __future__ import annotations

import re

from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context

from services.accounts.models import Department, User
from services.common import outbox
from services.common.models import OutboxMessage
from tests.factories import PASSWORD, make_user


def admin_client(town, username="townadmin") -> Client:
    with schema_context(town.schema_name):
        make_user(username=username, roles=("town_admin",))
    client = Client(HTTP_HOST=f"{town.slug}.localhost")
    assert client.post("/accounts/login/", {"username": username, "password": PASSWORD}).status_code == 302
    return client


def test_town_admin_invites_staff_who_set_a_password_from_the_email(town_a):
    client = admin_client(town_a)
    with schema_context(town_a.schema_name):
        works = Department.objects.create(code="works", name_th="กองช่าง")
    response = client.post("/staff/people/invite/", {
        "first_name": "วิไล", "last_name": "ช่างดี", "email": "Wilai@Example.org", "phone": "081-234-5678",
        "position": "นายช่างโยธา", "department": works.pk, "roles": ["building_engineer", "officer"],
    })
    assert response.status_code == 302
    with schema_context(town_a.schema_name):
        invited = User.objects.get(email="wilai@example.org")
        assert invited.kind == "staff"
        assert not invited.has_usable_password()
        assert sorted(invited.role_codes()) == ["building_engineer", "officer"]
        assert invited.phone == "0812345678"
        message = OutboxMessage.objects.get(idempotency_key=f"staff-invite-{invited.pk}")
        outbox.deliver(message.pk)
    link = re.search(r"http://alpha\.localhost(\S+)", mail.outbox[-1].body).group(1)
    newcomer = Client(HTTP_HOST="alpha.localhost")
    form = newcomer.get(link, follow=True)
    newcomer.post(form.redirect_chain[-1][0], {"new_password1": "my-own-secret-2569", "new_password2": "my-own-secret-2569"})
    assert newcomer.post("/accounts/login/", {"username": "wilai@example.org", "password": "my-own-secret-2569"}).status_code == 302
    assert newcomer.get("/staff/").status_code == 200


def test_invite_refuses_a_duplicate_email_with_a_clear_message(town_a):
    client = admin_client(town_a)
    with schema_context(town_a.schema_name):
        make_user(username="taken", email="taken@example.org")
    response = client.post("/staff/people/invite/", {
        "first_name": "ก", "last_name": "ข", "email": "taken@example.org", "roles": ["officer"],
    })
    assert response.status_code == 200
    assert "อีเมลนี้มีบัญชีอยู่แล้ว" in response.content.decode()


def test_town_admin_changes_roles_and_deactivates_and_it_is_audited(town_a):
    from auditlog.models import LogEntry

    client = admin_client(town_a)
    with schema_context(town_a.schema_name):
        person = make_user(username="moving", roles=("officer",))
    response = client.post(f"/staff/people/{person.pk}/", {"roles": ["finance_officer"], "position": "นักวิชาการเงิน"})
    assert response.status_code == 302
    with schema_context(town_a.schema_name):
        person.refresh_from_db()
        assert person.role_codes() == ["finance_officer"]
        assert not person.is_active
        assert LogEntry.objects.get_for_object(person).filter(changes__icontains="is_active").exists()
    listing = client.get("/staff/people/?q=moving&inactive=1").content.decode()
    assert "moving" in listing


def test_only_town_admins_manage_staff(town_a):
    with schema_context(town_a.schema_name):
        make_user(username="plain", roles=("officer",))
    client = Client(HTTP_HOST="alpha.localhost")
    client.post("/accounts/login/", {"username": "plain", "password": PASSWORD})
    assert client.get("/staff/people/").status_code == 403
    assert client.post("/staff/people/invite/", {"email": "x@example.org"}).status_code == 403


def test_staff_of_one_town_cannot_be_edited_from_another(town_a, town_b):
    with schema_context(town_a.schema_name):
        person = make_user(username="a-only")
    client_b = admin_client(town_b, "b-admin")
    response = client_b.get(f"/staff/people/{person.pk}/")
    # The id means a different row (or none) in beta's schema: never alpha's person.
    assert response.status_code == 404 or "a-only" not in response.content.decode()
    with schema_context(town_b.schema_name):
        assert not User.objects.filter(username="a-only").exists()


def test_a_resident_signs_up_and_is_signed_in(town_a):
    client = Client(HTTP_HOST="alpha.localhost")
    response = client.post("/accounts/signup/", {
        "first_name": "มาลี", "last_name": "ใจดี", "phone": "089 111 2222", "email": "", "username": "malee",
        "password1": "a-long-secret-2569", "password2": "a-long-secret-2569", "consent": "on",
    })
    assert response.status_code == 302
    with schema_context(town_a.schema_name):
        user = User.objects.get(username="malee")
        assert user.kind == "citizen"
        assert user.phone == "0891112222"
    assert client.get("/staff/").status_code == 403


def test_sign_up_needs_consent_a_mobile_and_matching_passwords(town_a):
    response = Client(HTTP_HOST="alpha.localhost").post("/accounts/signup/", {
        "first_name": "ก", "last_name": "ข", "phone": "021234567", "username": "x",
        "password1": "one-password-2569", "password2": "other-password-2569",
    })
    body = response.content.decode()
    assert response.status_code == 200
    assert "โทรศัพท์มือถือ" in body
    assert "ไม่ตรงกัน" in body
    assert "This field is required" in body or "จำเป็น" in body or "ต้องระบุ" in body
    with schema_context(town_a.schema_name):
        assert not User.objects.filter(username="x").exists()


def test_no_citizen_sign_up_on_the_platform(platform_client):
    assert platform_client.get("/accounts/signup/").status_code == 404
