"""Provisioning: from a registered town to a live one, idempotent and resumable."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from onboarding import pipeline
from onboarding.actions import register_town
from onboarding.models import ProvisioningJob
from onboarding.service_defaults import default_service_settings
from services.accounts.models import Department, User
from services.common.models import OutboxMessage
from tenants.models import SERVICE_CODES, Domain, Municipality, MunicipalityStatus

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


def test_a_town_provisioned_with_its_own_wizard_values_finds_each_of_them_in_its_schema(schema_template):
    """Every setting of wizard step 4, none of them the default, reaches the service that uses it."""
    import datetime as dt
    from decimal import Decimal

    from services.building_permits.case_type import KIND as PERMIT
    from services.casework.actions import settings_for
    from services.casework.fees import pick_rate
    from services.complaints.models import Category
    from services.correspondence.town_settings import saraban_settings
    from services.food_premises.case_type import KIND as FOOD
    from services.food_premises.town_setup import late_surcharge_percent
    from services.payments import payee
    from services.payments.models import FeeTier, PaymentSettings

    spec = make_spec()
    services = spec["services"]
    defaults = default_service_settings(spec["tax_id"])
    services["complaints"]["categories"] = [
        {"code": "road", "name_th": "ถนนพังมาก", "name_en": "Badly broken road", "sla_days": 3},
        {"code": "flood", "name_th": "น้ำท่วมซอย", "name_en": "Flooded lane", "sla_days": 2},
    ]
    services["payments"].update(
        garbage_household_monthly="45.00",
        garbage_shop_monthly="120.00",
        wastewater_per_m3="3.50",
        promptpay_biller_id=spec["tax_id"] + "07",
    )
    services["building_permits"].update(
        permit_fee="150.00", plan_check_per_m2_low="1.00", plan_check_per_m2_mid="1.50", plan_check_per_m2_high="3.00"
    )
    services["food_premises"].update(
        certificate_fee_upto_20m2="30.00",
        certificate_fee_upto_100m2="60.00",
        certificate_fee_upto_200m2="150.00",
        late_surcharge_percent="15",
    )
    services["correspondence"]["letter_prefix"] = "ชบ 52999"
    for service in ("payments", "building_permits", "food_premises"):
        for key, value in services[service].items():
            assert value != defaults[service].get(key), (service, key)  # really not the defaults

    job = pipeline.run_job(register_town(spec=spec).pk)

    assert job.status == "done", job.error
    assert set(job.step("services")["detail"].split(", ")) == set(SERVICE_CODES)
    town = job.municipality
    today = dt.date.today()
    with schema_context(town.schema_name):
        road, flood = Category.objects.get(code="road"), Category.objects.get(code="flood")
        assert (road.name_th, road.name_en, road.sla_hours, road.is_active) == ("ถนนพังมาก", "Badly broken road", 24, True)
        assert (flood.name_th, flood.sla_hours, flood.is_active) == ("น้ำท่วมซอย", 16, True)
        assert set(Category.objects.filter(is_active=True).values_list("code", flat=True)) == {"road", "flood"}

        tiers = {(t.fee_type.code, t.code): t.amount for t in FeeTier.objects.select_related("fee_type")}
        assert tiers[("garbage", "household")] == Decimal("45.00")
        assert tiers[("garbage", "shop")] == Decimal("120.00")
        assert tiers[("wastewater", "household")] == Decimal("3.50")
        qr = payee.qr_payload_for(
            town=town, ref1="REF1", ref2="", amount=Decimal("45.00"), mode=PaymentSettings.current().qr_mode
        )
        assert spec["tax_id"] + "07" in qr

        assert pick_rate(PERMIT, "permit", today).amount == Decimal("150.00")
        assert pick_rate(PERMIT, "plan_check", today, floors=1, height_m=Decimal("6")).amount == Decimal("1.00")
        assert pick_rate(PERMIT, "plan_check", today, floors=3, height_m=Decimal("14")).amount == Decimal("1.50")
        assert pick_rate(PERMIT, "plan_check", today, floors=5, height_m=Decimal("20")).amount == Decimal("3.00")

        assert pick_rate(FOOD, "periodic", today, area_m2=Decimal("15")).amount == Decimal("30.00")
        assert pick_rate(FOOD, "periodic", today, area_m2=Decimal("80")).amount == Decimal("60.00")
        assert pick_rate(FOOD, "periodic", today, area_m2=Decimal("180")).amount == Decimal("150.00")
        assert late_surcharge_percent(settings_for(FOOD)) == Decimal("15")

        assert saraban_settings().letter_prefix == "ชบ 52999"
    connection.set_schema_to_public()
    town.refresh_from_db()
    assert town.promptpay_biller_id == spec["tax_id"] + "07"


def test_a_service_the_town_did_not_enable_keeps_its_template_defaults(schema_template):
    from services.correspondence.town_settings import saraban_settings
    from services.payments.models import FeeTier

    spec = make_spec()
    spec["services"]["enabled"] = ["complaints", "correspondence"]
    job = pipeline.run_job(register_town(spec=spec).pk)
    assert job.status == "done", job.error
    assert job.step("services")["detail"] == "complaints, correspondence"
    with schema_context(job.municipality.schema_name):
        assert not FeeTier.objects.exists()  # payments is off: no fee catalogue installed
        assert saraban_settings().letter_prefix == "ชบ 52105"


def test_the_wizard_starts_from_each_services_own_defaults():
    """One source of defaults: the wizard's starting values are the ones the services install."""
    from services.complaints.town_setup import DEFAULT_CATEGORIES
    from services.payments.catalogue import DEFAULT_TIERS

    defaults = default_service_settings("0994000000001")
    garbage_household = next(t[-1] for t in DEFAULT_TIERS if t[:2] == ("garbage", "household"))
    assert defaults["payments"]["garbage_household_monthly"] == garbage_household
    assert [c["code"] for c in defaults["complaints"]["categories"]] == [c[0] for c in DEFAULT_CATEGORIES]
    assert defaults["food_premises"]["late_surcharge_percent"] == "20"
    assert defaults["building_permits"]["permit_fee"] == "200.00"


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
