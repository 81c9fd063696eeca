"""The audit trail: who, when, from which IP, before/after; append-only; viewers by role."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.db import IntegrityError, InternalError, ProgrammingError, connection, transaction
from django.test import Client
from django_tenants.utils import schema_context

from services.accounts.models import Department, User
from tests.factories import PASSWORD, make_user


def test_a_change_is_recorded_with_actor_ip_and_before_after(town_a):
    with schema_context(town_a.schema_name):
        admin = make_user(username="auditor", roles=("town_admin",))
        department = Department.objects.create(code="works", name_th="กองช่าง")
    client = Client(HTTP_HOST="alpha.localhost", REMOTE_ADDR="203.0.113.9")
    assert client.post("/accounts/login/", {"username": "auditor", "password": PASSWORD}).status_code == 302
    with schema_context(town_a.schema_name):
        # A change made inside a request carries the actor and the address.
        from auditlog.context import set_actor

        with set_actor(admin, remote_addr="203.0.113.9"):
            department.name_th = "กองช่างและผังเมือง"
            department.save()
        entry = LogEntry.objects.get_for_object(department).order_by("-timestamp").first()
        assert entry.actor == admin
        assert entry.remote_addr == "203.0.113.9"
        assert entry.changes_dict["name_th"] == ["กองช่าง", "กองช่างและผังเมือง"]


@pytest.mark.parametrize("statement", ["UPDATE auditlog_logentry SET object_repr = 'forged'", "DELETE FROM auditlog_logentry"])
def test_the_audit_trail_is_append_only_in_the_database(in_town_a, statement):
    Department.objects.create(code="tmp", name_th="ชั่วคราว")
    assert LogEntry.objects.exists()
    with pytest.raises((InternalError, ProgrammingError, IntegrityError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)


def test_deleting_a_user_keeps_their_audit_entries(in_town_a):
    user = make_user(username="leaver")
    department = Department.objects.create(code="leave", name_th="ลา")
    from auditlog.context import set_actor

    with set_actor(user):
        department.name_th = "ลาออก"
        department.save()
    before = LogEntry.objects.count()
    User.objects.filter(pk=user.pk).delete()
    assert LogEntry.objects.count() >= before
    assert LogEntry.objects.filter(object_repr="ลาออก").exists()


def test_town_admin_sees_the_audit_viewer_and_an_officer_does_not(town_a):
    with schema_context(town_a.schema_name):
        make_user(username="ta", roles=("town_admin",))
        make_user(username="off", roles=("officer",))
    admin = Client(HTTP_HOST="alpha.localhost")
    admin.post("/accounts/login/", {"username": "ta", "password": PASSWORD})
    page = admin.get("/staff/audit/")
    assert page.status_code == 200
    assert "บันทึกการตรวจสอบ" in page.content.decode()
    officer = Client(HTTP_HOST="alpha.localhost")
    officer.post("/accounts/login/", {"username": "off", "password": PASSWORD})
    assert officer.get("/staff/audit/").status_code == 403


def test_audit_viewer_shows_only_its_own_towns_entries(town_a, town_b):
    with schema_context(town_b.schema_name):
        Department.objects.create(code="secret-b", name_th="กองลับของเบตา")
    with schema_context(town_a.schema_name):
        make_user(username="ta2", roles=("town_admin",))
    client = Client(HTTP_HOST="alpha.localhost")
    client.post("/accounts/login/", {"username": "ta2", "password": PASSWORD})
    assert "กองลับของเบตา" not in client.get("/staff/audit/").content.decode()


def test_dga_admin_sees_the_platform_audit_viewer(db):
    make_user(username="dga", kind="platform_admin")
    client = Client(HTTP_HOST="localhost")
    client.post("/accounts/login/", {"username": "dga", "password": PASSWORD})
    assert client.get("/audit/").status_code == 200
    assert Client(HTTP_HOST="localhost").get("/audit/").status_code == 302
