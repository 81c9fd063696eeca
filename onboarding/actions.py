"""Writes of the onboarding app: drafts, registering and provisioning towns, town status changes."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from services.common.queueing import run_after_commit
from services.common.workflow import SYSTEM, bulk_move, can_move, move
from tenants.models import Domain, Municipality, MunicipalityStatus

from .models import OnboardingDraft, ProvisioningJob, TownStatusChange
from .pipeline import initial_steps
from .spec import SpecInvalid, validate_town_spec
from .workflow import DRAFT_TRANSITIONS, JOB_TRANSITIONS, TOWN_TRANSITIONS

# Queued by name (tasks.py wraps these actions: no import back).
PROVISION_TASK = "onboarding.tasks.provision_town_job"


class StatusChangeRefused(ValueError):
    pass


def register_town(*, spec: dict, by=None, link_base: dict | None = None) -> ProvisioningJob:
    """Validate a town spec and record the town (status draft, no schema yet) with its provisioning
    job. Nothing is written when the spec has any error (SpecInvalid)."""
    clean = validate_town_spec(spec)
    if link_base:
        clean["link_base"] = link_base
    services = clean["services"]
    try:
        with transaction.atomic():
            town = Municipality(
                slug=clean["slug"],
                short_code=clean["short_code"],
                name_th=clean["name_th"],
                name_en=clean["name_en"],
                kind=clean["kind"],
                lao_code=clean["lao_code"],
                tax_id=clean["tax_id"],
                province_code=clean["province_code"],
                province=clean["province"],
                district_code=clean["district_code"],
                district=clean["district"],
                address=clean["address"],
                phone=clean["phone"],
                email=clean["email"],
                status=MunicipalityStatus.DRAFT,
                enabled_services=services["enabled"],
                service_settings=services,
                boundary=clean["boundary"],
                communities=clean["communities"],
                branding={k: v for k, v in clean["branding"].items() if k != "logo_png_b64"},
                promptpay_biller_id=(services.get("payments") or {}).get("promptpay_biller_id", ""),
            )
            town.auto_create_schema = False  # the pipeline makes the schema, from the template
            town.save()
            Domain.objects.create(domain=town.primary_host, tenant=town, is_primary=True)
            if clean.get("custom_domain"):
                Domain.objects.create(domain=clean["custom_domain"], tenant=town, is_primary=False)
            return ProvisioningJob.objects.create(
                municipality=town, spec=clean, created_by=by, steps=initial_steps()
            )
    except IntegrityError as exc:
        # Two admins submitting the same town at once: the database's unique constraints decide.
        raise SpecInvalid(
            {
                "non_field_errors": [
                    "มีหน่วยงานที่ใช้โดเมนย่อย รหัส อปท. หรือเลขผู้เสียภาษีเดียวกันเพิ่งลงทะเบียน "
                    "(A town with the same subdomain, LAO code or tax ID was just registered)"
                ]
            }
        ) from exc


def start_provisioning(*, job: ProvisioningJob) -> ProvisioningJob:
    """Queue the job on Celery (after commit). Safe to call again to resume a failed or stuck job."""
    if job.status == ProvisioningJob.Status.DONE:
        return job
    queued = ProvisioningJob.Status.QUEUED
    move(job, to=queued, by=SYSTEM, transitions=JOB_TRANSITIONS)
    rows = ProvisioningJob.objects.filter(pk=job.pk)
    if not bulk_move(rows, to=queued, transitions=JOB_TRANSITIONS, also={"error": "", "updated_at": timezone.now()}):
        job.refresh_from_db(fields=["status"])  # finished meanwhile: nothing to queue
        return job
    run_after_commit(PROVISION_TASK, job.pk)
    return job


STALLED_AFTER = dt.timedelta(minutes=3)


def resume_stalled_jobs(*, now: dt.datetime | None = None) -> list[ProvisioningJob]:
    """Queue again the jobs whose worker died (running, no progress, lock free) or whose message was
    lost (queued long ago). Running a job twice is harmless: steps are idempotent and locked."""
    from .pipeline import is_running_somewhere

    cutoff = (now or timezone.now()) - STALLED_AFTER
    stalled = ProvisioningJob.objects.filter(
        status__in=[ProvisioningJob.Status.QUEUED, ProvisioningJob.Status.RUNNING], updated_at__lt=cutoff
    )
    resumed = []
    for job in stalled:
        if is_running_somewhere(job):
            continue
        with transaction.atomic():
            resumed.append(start_provisioning(job=job))
    return resumed


def save_draft_step(*, draft: OnboardingDraft, step: int, key: str, data: dict) -> OnboardingDraft:
    """Keep one step's cleaned data on the draft and move the completed marker forward."""
    draft.data = {**draft.data, key: data}
    draft.completed_step = max(draft.completed_step, step)
    draft.save(update_fields=["data", "completed_step", "updated_at"])
    return draft


def discard_draft(*, draft: OnboardingDraft) -> None:
    """Discard an open draft; a submitted one stays submitted (its job is the record)."""
    discarded = OnboardingDraft.Status.DISCARDED
    if not can_move(draft.status, discarded, by=SYSTEM, transitions=DRAFT_TRANSITIONS):
        return
    move(draft, to=discarded, by=SYSTEM, transitions=DRAFT_TRANSITIONS)
    draft.save(update_fields=["status", "updated_at"])


@transaction.atomic
def submit_draft(*, draft: OnboardingDraft, by, link_base: dict | None = None) -> ProvisioningJob:
    """Register the draft's town and start provisioning it."""
    from .drafts import spec_from_draft

    draft = OnboardingDraft.objects.select_for_update().get(pk=draft.pk)
    if draft.job_id:
        return draft.job
    job = register_town(spec=spec_from_draft(draft), by=by, link_base=link_base)
    draft.job = job
    move(draft, to=OnboardingDraft.Status.SUBMITTED, by=by, transitions=DRAFT_TRANSITIONS)
    draft.save(update_fields=["job", "status", "updated_at"])
    return start_provisioning(job=job)


# --- town status ------------------------------------------------------------------------------------

def _change_status(*, town: Municipality, to: str, reason: str, by, **extra) -> TownStatusChange:
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise StatusChangeRefused("ต้องระบุเหตุผล (A reason of at least 5 characters is required)")
    town = Municipality.objects.select_for_update().get(pk=town.pk)
    town.auto_create_schema = False  # an archived town has no schema; saving must not make one
    if not can_move(town.status, to, by=by, transitions=TOWN_TRANSITIONS):
        raise StatusChangeRefused(
            f"เปลี่ยนสถานะจาก {town.get_status_display()} ไม่ได้ "
            f"(Cannot change status from {town.status} to {to})"
        )
    change = TownStatusChange.objects.create(
        municipality=town, from_status=town.status, to_status=to, reason=reason, by=by, **extra
    )
    move(town, to=to, by=by, transitions=TOWN_TRANSITIONS)
    town.status_reason = reason
    town.save(update_fields=["status", "status_reason", "updated_at"])
    return change


@transaction.atomic
def suspend_town(*, town: Municipality, reason: str, by) -> TownStatusChange:
    """ระงับชั่วคราว: the portal shows a notice, nobody can sign in; data untouched."""
    return _change_status(town=town, to=MunicipalityStatus.SUSPENDED, reason=reason, by=by)


@transaction.atomic
def reactivate_town(*, town: Municipality, reason: str, by) -> TownStatusChange:
    return _change_status(town=town, to=MunicipalityStatus.LIVE, reason=reason, by=by)


def archive_dir() -> Path:
    path = Path(settings.DATA_DIR) / "archives"
    path.mkdir(parents=True, exist_ok=True)
    return path


def archive_town(*, town: Municipality, reason: str, by, drop_schema: bool = True) -> TownStatusChange:
    """Keep a pg_dump of the town's schema, then drop the schema (the row stays, status archived).

    The dump is written and checked before anything changes; restore with `pg_restore -d <db> <file>`."""
    from .pg_tools import dump_schema

    if len((reason or "").strip()) < 5:
        raise StatusChangeRefused("ต้องระบุเหตุผล (A reason of at least 5 characters is required)")
    if not can_move(town.status, MunicipalityStatus.ARCHIVED, by=by, transitions=TOWN_TRANSITIONS):
        raise StatusChangeRefused(
            f"เก็บถาวรจากสถานะ {town.get_status_display()} ไม่ได้ (Cannot archive from {town.status})"
        )
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
    target = archive_dir() / f"{town.schema_name}-{stamp}.dump"
    try:
        dump_schema(town.schema_name, custom_format=True, output=target)
    except (RuntimeError, OSError) as exc:
        raise StatusChangeRefused(
            f"สำรองข้อมูลไม่สำเร็จ ยังไม่ได้เก็บถาวร (The pg_dump failed; nothing was archived): {exc}"
        ) from exc
    if not target.exists() or target.stat().st_size == 0:
        raise StatusChangeRefused("pg_dump ไม่ได้สร้างไฟล์ (pg_dump wrote no file)")
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    with transaction.atomic():
        change = _change_status(
            town=town,
            to=MunicipalityStatus.ARCHIVED,
            reason=reason,
            by=by,
            archive_file=target.name,
            archive_sha256=digest,
        )
        if drop_schema:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{town.schema_name}" CASCADE')
    return change
