"""Provisioning on a real Celery worker over the real broker, including resuming a job that stopped
half way (every step idempotent)."""

from __future__ import annotations

import time

import pytest
from django.db import connection, transaction
from django.test import Client
from django_tenants.utils import schema_context

from onboarding import pipeline
from onboarding.actions import register_town, start_provisioning
from onboarding.models import ProvisioningJob
from services.accounts.models import Department, User
from services.common.models import OutboxMessage
from tenants.models import Municipality

from .conftest import make_spec

pytestmark = pytest.mark.worker


def wait_for_job(job_id: int, timeout: float = 60.0) -> ProvisioningJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = ProvisioningJob.objects.get(pk=job_id)
        if job.status in ("done", "failed"):
            return job
        time.sleep(0.3)
    raise AssertionError("the worker did not finish the job in time")


def cleanup(town: Municipality) -> None:
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{town.schema_name}" CASCADE')
    town.provisioning_jobs.all().delete()
    town.domains.all().delete()
    Municipality.objects.filter(pk=town.pk).delete()


def test_a_worker_provisions_the_town_and_finishes_one_that_stopped_half_way(
    schema_template, live_worker, django_db_blocker, monkeypatch
):
    with django_db_blocker.unblock():
        first = register_town(spec=make_spec())
        second = register_town(spec=make_spec())
        try:
            # The second town's first attempt dies at the staff step (as a killed worker would).
            monkeypatch.setitem(pipeline.STEP_FUNCTIONS, "staff", lambda job, town: 1 / 0)
            assert pipeline.run_job(second.pk).status == "failed"
            monkeypatch.setitem(pipeline.STEP_FUNCTIONS, "staff", pipeline.step_staff)

            with transaction.atomic():
                start_provisioning(job=first)
                start_provisioning(job=second)
            live_worker.start()

            for job_id in (first.pk, second.pk):
                job = wait_for_job(job_id)
                assert job.status == "done", job.error
                town = job.municipality
                assert town.status == "live"
                with schema_context(town.schema_name):
                    assert User.objects.count() == 3
                    assert Department.objects.count() == 2
                    assert OutboxMessage.objects.filter(channel="email").count() == 3
                connection.set_schema_to_public()
                assert Client(HTTP_HOST=town.primary_host).get("/").status_code == 200
            assert ProvisioningJob.objects.get(pk=second.pk).attempts == 2
        finally:
            live_worker.stop()
            for job in (first, second):
                cleanup(Municipality.objects.get(pk=job.municipality_id))
