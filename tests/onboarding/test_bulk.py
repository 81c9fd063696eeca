"""Provisioning many towns: a failing town is reported and withdrawn, the others go live, a killed run resumes."""

from __future__ import annotations

import pytest
from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from onboarding import bulk, pipeline
from onboarding.actions import register_town
from onboarding.models import ProvisioningJob
from services.accounts.models import User
from tenants.models import Domain, Municipality, MunicipalityStatus

from .conftest import make_spec

pytestmark = pytest.mark.django_db


def test_a_town_that_fails_twice_is_withdrawn_and_the_next_one_goes_live(schema_template, monkeypatch):
    broken, fine = make_spec(), make_spec()
    real_departments = pipeline.STEP_FUNCTIONS["departments"]

    def departments_fail_for_one_town(job, town):
        if town.slug == broken["slug"]:
            raise RuntimeError("department seed refused")
        return real_departments(job, town)

    monkeypatch.setitem(pipeline.STEP_FUNCTIONS, "departments", departments_fail_for_one_town)
    seen = []
    outcomes = bulk.provision_many([broken, fine], on_outcome=seen.append)

    assert [o.state for o in outcomes] == ["withdrawn", "live"]
    assert seen == outcomes
    assert "department seed refused" in outcomes[0].error
    # Not half-made: no registry rows, no domain, no job, no schema (the schema step had run).
    assert not Municipality.objects.filter(slug=broken["slug"]).exists()
    assert not Domain.objects.filter(domain__startswith=broken["slug"] + ".").exists()
    assert not ProvisioningJob.objects.filter(spec__slug=broken["slug"]).exists()
    assert not schema_exists(f"town_{broken['slug'].replace('-', '_')}")
    town = Municipality.objects.get(slug=fine["slug"])
    assert town.status == MunicipalityStatus.LIVE
    with schema_context(town.schema_name):
        assert User.objects.count() == 3


def test_a_failure_that_heals_on_the_second_attempt_still_goes_live(schema_template, monkeypatch):
    spec = make_spec()
    attempts = []
    real_staff = pipeline.STEP_FUNCTIONS["staff"]

    def staff_fails_once(job, town):
        attempts.append(town.slug)
        if len(attempts) == 1:
            raise RuntimeError("connection lost")
        return real_staff(job, town)

    monkeypatch.setitem(pipeline.STEP_FUNCTIONS, "staff", staff_fails_once)
    [outcome] = bulk.provision_many([spec])
    assert outcome.state == "live"
    job = ProvisioningJob.objects.get(municipality__slug=spec["slug"])
    assert job.attempts == 2
    with schema_context(job.municipality.schema_name):
        assert User.objects.count() == 3


def test_a_run_killed_half_way_finishes_its_towns_when_run_again(schema_template, monkeypatch):
    done_before, interrupted, untouched = make_spec(), make_spec(), make_spec()
    bulk.provision_many([done_before])
    # The process died inside `interrupted`'s job: its schema and roles are made, the rest is not.
    job = register_town(spec=interrupted)
    pipeline.run_job(job.pk)
    ProvisioningJob.objects.filter(pk=job.pk).update(
        status="running",
        steps=[
            {"name": name, "state": "done" if name in ("schema", "roles") else "pending"}
            for name in pipeline.STEP_NAMES
        ],
    )
    Municipality.objects.filter(pk=job.municipality_id).update(status=MunicipalityStatus.PROVISIONING)

    outcomes = bulk.provision_many([done_before, interrupted, untouched])

    assert [o.state for o in outcomes] == ["already live", "live", "live"]
    assert (
        Municipality.objects.filter(
            slug__in=[interrupted["slug"], untouched["slug"]], status=MunicipalityStatus.LIVE
        ).count()
        == 2
    )
    with schema_context(Municipality.objects.get(slug=interrupted["slug"]).schema_name):
        assert User.objects.count() == 3  # staff made once, not twice


def test_an_invalid_spec_is_reported_and_skipped(schema_template):
    bad = make_spec(tax_id="1234567890123")  # check digit wrong
    good = make_spec()
    outcomes = bulk.provision_many([bad, good])
    assert [o.state for o in outcomes] == ["invalid", "live"]
    assert "tax_id" in outcomes[0].error
    assert not Municipality.objects.filter(slug=bad["slug"]).exists()


def test_a_live_town_is_never_withdrawn(schema_template):
    [outcome] = bulk.provision_many([make_spec()])
    town = Municipality.objects.get(slug=outcome.slug)
    with pytest.raises(bulk.WithdrawRefused):
        bulk.withdraw_town(town=town)
    connection.set_schema_to_public()
    assert schema_exists(town.schema_name)
    assert Municipality.objects.filter(pk=town.pk).exists()
