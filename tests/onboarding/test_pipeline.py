"""Provisioning: from a registered town to a live one, idempotent and resumable."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from onboarding import pipeline
from onboarding.actions import register_town
from onboarding.models import ProvisioningJob
from services.accounts.models import Department, User
from services.common.models import OutboxMessage
from tenants.models import Domain, Municipality, MunicipalityStatus

from .conftest import make_spec

pytestmark = pytest.mark.django_db


def test_a_registered_town_is_provisioned_to_live(schema_template):
    spec = make_spec(custom_domain="eservice.example.go.th")
    job = register_town(spec=spec)
    town = job.municipality
    assert town.status == MunicipalityStatus.DRAFT
    assert not Municipality.objects.filter(pk=town.pk, status="live").exists()

    job = pipeline.run_job(job.pk)

    assert job.status == ProvisioningJob.Status.DONE, job.error
    assert job.method == "template"
    assert [s["name"] for s in job.steps] == pipeline.STEP_NAMES
    assert all(s["state"] == "done" and "seconds" in s for s in job.steps)
    town.refresh_from_db()
    assert town.status == MunicipalityStatus.LIVE
    assert town.went_live_at
    assert town.communities == spec["communities"]
    # PDPA: the public schema keeps no copy of the staff list once the town is live.
    assert "admin" not in job.spec
    assert "staff" not in job.spec
    assert spec["admin"]["email"] not in str(ProvisioningJob.objects.get(pk=job.pk).spec)
    assert job.spec["people_count"] == 3
    assert set(Domain.objects.filter(tenant=town).values_list("domain", flat=True)) == {
        f"{spec['slug']}.localhost",
        "eservice.example.go.th",
    }
    with schema_context(town.schema_name):
        assert Group.objects.filter(name="town_admin").exists()
        assert set(Department.objects.values_list("code", flat=True)) == {"office", "engineering"}
        admin = User.objects.get(username=spec["admin"]["email"])
        assert admin.has_role("town_admin")
        assert not admin.has_usable_password()
        engineer = User.objects.get(email=spec["staff"][0]["email"])
        assert engineer.department.code == "engineering"
        assert engineer.has_role("building_engineer")
        assert set(User.objects.get(email=spec["staff"][1]["email"]).role_codes()) == {
            "oss_officer",
            "officer",
        }
        invitations = list(OutboxMessage.objects.filter(channel="email"))
        assert len(invitations) == 3
        assert f"http://{spec['slug']}.localhost/accounts/password/reset/" in invitations[0].body
    connection.set_schema_to_public()
    # The portal of the new town answers.
    response = Client(HTTP_HOST=f"{spec['slug']}.localhost").get("/")
    assert response.status_code == 200
    assert spec["name_th"] in response.content.decode()


def test_the_invitation_link_lets_staff_set_a_password_and_sign_in(schema_template):
    spec = make_spec(staff=[])
    job = pipeline.run_job(register_town(spec=spec).pk)
    town = job.municipality
    with schema_context(town.schema_name):
        body = OutboxMessage.objects.get().body
    connection.set_schema_to_public()
    link = next(word for word in body.split() if "/accounts/password/reset/" in word)
    path = link.split("localhost", 1)[1]
    browser = Client(HTTP_HOST=f"{spec['slug']}.localhost")
    form_page = browser.get(path, follow=True)
    assert form_page.status_code == 200
    response = browser.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Sattahip-2569-ok", "new_password2": "Sattahip-2569-ok"},
    )
    assert response.status_code == 302
    signed_in = browser.post(
        "/accounts/login/", {"username": spec["admin"]["email"], "password": "Sattahip-2569-ok"}
    )
    assert signed_in.status_code == 302
    assert browser.get("/staff/").status_code == 200


def test_running_a_job_twice_creates_nothing_twice(schema_template):
    job = register_town(spec=make_spec())
    pipeline.run_job(job.pk)
    ProvisioningJob.objects.filter(pk=job.pk).update(status="running", steps=pipeline.initial_steps())
    job = pipeline.run_job(job.pk)
    assert job.status == "done"
    assert job.step("schema")["detail"] == "existing"
    with schema_context(job.municipality.schema_name):
        assert User.objects.count() == 3
        assert Department.objects.count() == 2
        assert OutboxMessage.objects.count() == 3
        assert Group.objects.filter(name="town_admin").count() == 1


def test_a_job_that_died_half_way_is_finished_by_running_it_again(schema_template, monkeypatch):
    job = register_town(spec=make_spec())

    def worker_dies(job, town):
        raise RuntimeError("worker lost")

    monkeypatch.setitem(pipeline.STEP_FUNCTIONS, "staff", worker_dies)
    job = pipeline.run_job(job.pk)
    assert job.status == "failed"
    assert job.step("departments")["state"] == "done"
    assert job.step("staff")["state"] == "failed"
    assert "worker lost" in job.error
    assert Municipality.objects.get(pk=job.municipality_id).status == MunicipalityStatus.PROVISIONING

    monkeypatch.setitem(pipeline.STEP_FUNCTIONS, "staff", pipeline.step_staff)
    job = pipeline.run_job(job.pk)
    assert job.status == "done"
    assert job.attempts == 2
    with schema_context(job.municipality.schema_name):
        assert User.objects.count() == 3
        assert Department.objects.count() == 2


def test_enabled_services_get_their_settings_through_the_seed_hook(schema_template, monkeypatch):
    calls = []
    complaints = apps.get_app_config("complaints")
    payments = apps.get_app_config("payments")
    monkeypatch.setattr(
        complaints,
        "seed_town",
        lambda settings: calls.append(("complaints", connection.schema_name, settings)),
        raising=False,
    )
    monkeypatch.setattr(
        payments,
        "seed_town",
        lambda settings: calls.append(("payments", connection.schema_name, settings)),
        raising=False,
    )
    spec = make_spec()
    spec["services"]["enabled"] = ["complaints", "correspondence"]
    job = pipeline.run_job(register_town(spec=spec).pk)
    assert job.status == "done", job.error
    assert [c[0] for c in calls] == ["complaints"]  # payments is not enabled
    assert calls[0][1] == job.municipality.schema_name
    assert calls[0][2]["categories"][0]["sla_days"] == 1


def test_a_job_already_running_elsewhere_is_not_run_twice(schema_template):
    from django.db import connections

    job = register_town(spec=make_spec())
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [pipeline._lock_key(job)])
        with pytest.raises(pipeline.JobBusy):
            pipeline.run_job(job.pk)
    finally:
        other.close()


def test_towns_do_not_see_each_others_staff(schema_template):
    first = pipeline.run_job(register_town(spec=make_spec()).pk)
    second = pipeline.run_job(register_town(spec=make_spec()).pk)
    with schema_context(first.municipality.schema_name):
        first_users = set(User.objects.values_list("email", flat=True))
    with schema_context(second.municipality.schema_name):
        second_users = set(User.objects.values_list("email", flat=True))
    assert first_users
    assert second_users
    assert not first_users & second_users


def test_an_invitation_link_means_nothing_on_another_towns_host(schema_template, town_b):
    spec = make_spec(staff=[])
    job = pipeline.run_job(register_town(spec=spec).pk)
    with schema_context(job.municipality.schema_name):
        body = OutboxMessage.objects.get().body
    connection.set_schema_to_public()
    path = next(word for word in body.split() if "/accounts/password/reset/" in word).split("localhost", 1)[1]
    other = Client(HTTP_HOST="beta.localhost")
    page = other.get(path, follow=True)
    assert page.status_code == 200
    target = page.redirect_chain[-1][0] if page.redirect_chain else path
    other.post(target, {"new_password1": "Sattahip-2569-ok", "new_password2": "Sattahip-2569-ok"})
    with schema_context(town_b.schema_name):
        assert not User.objects.filter(email=spec["admin"]["email"]).exists()
    with schema_context(job.municipality.schema_name):
        assert not User.objects.get(email=spec["admin"]["email"]).has_usable_password()


def test_a_job_whose_worker_died_is_queued_again_by_the_sweeper(
    schema_template, django_capture_on_commit_callbacks
):
    import datetime as dt

    from django.utils import timezone

    from onboarding.actions import resume_stalled_jobs

    job = register_town(spec=make_spec())
    long_ago = timezone.now() - dt.timedelta(minutes=10)
    ProvisioningJob.objects.filter(pk=job.pk).update(status="running", updated_at=long_ago)
    fresh = register_town(spec=make_spec())
    ProvisioningJob.objects.filter(pk=fresh.pk).update(status="running", updated_at=timezone.now())
    with django_capture_on_commit_callbacks() as callbacks:
        resumed = resume_stalled_jobs()
    assert [j.pk for j in resumed] == [job.pk]
    assert len(callbacks) == 1
    assert ProvisioningJob.objects.get(pk=job.pk).status == "queued"
    assert ProvisioningJob.objects.get(pk=fresh.pk).status == "running"
