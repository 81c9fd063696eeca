"""Provisioning many towns in one run (a region, or the whole country): each town through the real
pipeline, a failing town reported and withdrawn — never left half-made — and the run resumable.

A town whose job fails is resumed once (every step is idempotent, so a passing hiccup such as a lost
connection heals). If it fails again it is withdrawn: its schema is dropped and its registry rows
(town, domains, job) are deleted, so the bulk run goes on and the town can be registered afresh
after the cause is fixed. Only towns that never went live are withdrawn.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Iterable

from django.db import connection, transaction

from tenants.models import Municipality, MunicipalityStatus

from .actions import register_town
from .models import ProvisioningJob
from .pipeline import run_job
from .spec import SpecInvalid

log = logging.getLogger(__name__)


@dataclasses.dataclass
class TownOutcome:
    """What happened to one town of a bulk run."""

    slug: str
    state: str  # "live" (provisioned now), "already live", "withdrawn", "invalid"
    seconds: float = 0.0
    method: str = ""
    error: str = ""


class WithdrawRefused(ValueError):
    pass


def withdraw_town(*, town: Municipality) -> None:
    """Remove a town whose provisioning failed: its schema and its registry rows. Refused for a town
    that went live (that one is suspended or archived instead, keeping its history)."""
    if town.status not in (MunicipalityStatus.DRAFT, MunicipalityStatus.PROVISIONING) or town.went_live_at:
        raise WithdrawRefused(f"{town.slug} went live; archive it instead of withdrawing it")
    connection.set_schema_to_public()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{town.schema_name}" CASCADE')
        town.delete()  # domains, jobs and drafts' links go with it (CASCADE / SET NULL)


def provision_one(spec: dict, *, send_invitations: bool = False) -> TownOutcome:
    """Register (or find) the town of `spec` and run its job to the end; withdraw it if it fails twice."""
    slug = str(spec.get("slug", ""))
    started = time.perf_counter()
    town = Municipality.objects.filter(slug=slug).first()
    if town is not None and town.status == MunicipalityStatus.LIVE:
        return TownOutcome(slug, "already live")
    if town is None:
        try:
            job = register_town(spec=spec)
        except SpecInvalid as exc:
            return TownOutcome(slug, "invalid", error=str(exc)[:1000])
    else:
        job = ProvisioningJob.objects.filter(municipality=town).order_by("-created_at").first()
        if job is None:
            withdraw_town(town=town)
            return provision_one(spec, send_invitations=send_invitations)
    for _attempt in range(2):
        job = run_job(job.pk, send_invitations=send_invitations)
        if job.status == ProvisioningJob.Status.DONE:
            return TownOutcome(slug, "live", time.perf_counter() - started, job.method)
    error = job.error
    log.error("provisioning %s failed twice, withdrawing it: %s", slug, error)
    withdraw_town(town=Municipality.objects.get(pk=job.municipality_id))
    return TownOutcome(slug, "withdrawn", time.perf_counter() - started, job.method, error[:1000])


def provision_many(
    specs: Iterable[dict],
    *,
    send_invitations: bool = False,
    on_outcome: Callable[[TownOutcome], None] | None = None,
    recycle_connection_every: int = 100,
) -> list[TownOutcome]:
    """Provision every town of `specs` in order; returns one outcome per town.

    The database connection is reopened every `recycle_connection_every` towns: a backend keeps
    catalog caches of every schema it touched, and a bulk run touches thousands."""
    from django.db import connections

    outcomes = []
    for index, spec in enumerate(specs, start=1):
        outcome = provision_one(spec, send_invitations=send_invitations)
        outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)
        if recycle_connection_every and index % recycle_connection_every == 0:
            connections.close_all()
    return outcomes
