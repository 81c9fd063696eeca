"""The provisioning pipeline: named, idempotent steps that take a registered town to `live`.

Run by a Celery task (onboarding.tasks.provision_town_job) or inline (provision_town command,
benchmarks). Every step can run twice without duplicating anything, and steps already done are
skipped, so a job whose worker died half way is finished by running it again. Progress is written
to ProvisioningJob.steps outside any long transaction, so the progress page sees it live.
"""

from __future__ import annotations

import base64
import logging
import time
import zlib

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tenants.utils import schema_context

from services.accounts.models import Department, User
from services.accounts.roles import seed_roles
from services.common import outbox
from services.common.audit_context import no_request_actor
from services.common.links import town_url
from services.common.thai_names import polite_name
from services.common.workflow import SYSTEM, bulk_move, move
from tenants.models import SERVICE_CODES, Municipality, MunicipalityStatus

from .models import ProvisioningJob
from .schema_template import create_town_schema
from .workflow import JOB_TRANSITIONS, TOWN_TRANSITIONS

log = logging.getLogger(__name__)

# (code, Thai, English) — shown on the progress page in this order.
STEPS: list[tuple[str, str, str]] = [
    ("schema", "สร้างฐานข้อมูลของหน่วยงาน", "Create the town's database schema"),
    ("roles", "สร้างบทบาทและสิทธิ์", "Seed roles and permissions"),
    ("settings", "บันทึกค่าตั้งต้นและรูปลักษณ์", "Save town settings and branding"),
    ("departments", "สร้างกอง/ส่วน", "Create departments"),
    ("services", "ตั้งค่าบริการ", "Seed the enabled services"),
    ("staff", "สร้างบัญชีเจ้าหน้าที่", "Create staff accounts"),
    ("invitations", "ส่งอีเมลเชิญตั้งรหัสผ่าน", "Queue set-password invitations"),
    ("go_live", "เปิดให้บริการ", "Go live"),
]
STEP_NAMES = [code for code, _th, _en in STEPS]


class JobBusy(RuntimeError):
    """Another process is running this job right now."""


def _lock_key(job: ProvisioningJob) -> int:
    return zlib.crc32(f"provisioning-job:{job.pk}".encode())


def is_running_somewhere(job: ProvisioningJob) -> bool:
    """True while some process holds the job's lock (a live worker is on it)."""
    key = _lock_key(job)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        if not cursor.fetchone()[0]:
            return True
        cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
    return False


def _save_progress(job: ProvisioningJob, *, to: str | None = None, **fields) -> None:
    """Write the steps and `fields` in one UPDATE; `to` moves the status by JOB_TRANSITIONS too."""
    if "status" in fields:
        raise TypeError("the job's status moves with to=")
    if to is not None:
        move(job, to=to, by=SYSTEM, transitions=JOB_TRANSITIONS)
    fields["updated_at"] = timezone.now()
    for name, value in fields.items():
        setattr(job, name, value)
    rows = ProvisioningJob.objects.filter(pk=job.pk)
    if to is None:
        rows.update(steps=job.steps, **fields)
    else:
        bulk_move(rows, to=to, by=SYSTEM, transitions=JOB_TRANSITIONS, also={"steps": job.steps, **fields})


def _set(job: ProvisioningJob, name: str, state: str, **extra) -> None:
    """Change one step's state in memory; written by the next _save_progress."""
    steps = [s for s in job.steps if s.get("name") != name]
    current = job.step(name) or {"name": name}
    current.update({"state": state, **extra})
    steps.append(current)
    job.steps = sorted(steps, key=lambda s: STEP_NAMES.index(s["name"]))


def initial_steps() -> list[dict]:
    return [{"name": code, "state": "pending"} for code in STEP_NAMES]


def run_job(job_id: int, *, send_invitations: bool = True) -> ProvisioningJob:
    """Run (or resume) one provisioning job to the end; returns the job as it finished."""
    # The DGA admin who started it is a user of the public schema, not of the new town: the town's
    # audit log must not name a town user who happens to share that id.
    with no_request_actor():
        return _run_job(job_id, send_invitations=send_invitations)


def _run_job(job_id: int, *, send_invitations: bool) -> ProvisioningJob:
    connection.set_schema_to_public()
    job = ProvisioningJob.objects.select_related("municipality").get(pk=job_id)
    if job.status == ProvisioningJob.Status.DONE:
        return job
    key = _lock_key(job)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        if not cursor.fetchone()[0]:
            raise JobBusy(f"provisioning job {job.pk} is already running")
    try:
        if not job.steps:
            job.steps = initial_steps()
        _save_progress(
            job,
            to=ProvisioningJob.Status.RUNNING,
            attempts=job.attempts + 1,
            error="",
            started_at=job.started_at or timezone.now(),
        )
        town = job.municipality
        # The schema is this pipeline's job: never let TenantMixin.save() migrate one behind our back.
        town.auto_create_schema = False
        if town.status in (MunicipalityStatus.DRAFT,):
            move(town, to=MunicipalityStatus.PROVISIONING, by=SYSTEM, transitions=TOWN_TRANSITIONS)
            town.save(update_fields=["status", "updated_at"])
        for name in STEP_NAMES:
            if (job.step(name) or {}).get("state") == "done":
                continue
            if name == "invitations" and not send_invitations:
                _set(job, name, "done", seconds=0.0, detail="skipped")
                continue
            started = time.perf_counter()
            # One write per step: the previous step's "done" and this one's "running" together
            # (a worker dying in between only repeats an idempotent step).
            _set(job, name, "running", started_at=timezone.now().isoformat())
            _save_progress(job)
            try:
                detail = STEP_FUNCTIONS[name](job, town) or ""
            except Exception as exc:
                log.exception("provisioning step %s of job %s failed", name, job.pk)
                connection.set_schema_to_public()
                _set(
                    job,
                    name,
                    "failed",
                    seconds=round(time.perf_counter() - started, 4),
                    detail=str(exc)[:500],
                )
                _save_progress(job, to=ProvisioningJob.Status.FAILED, error=f"{name}: {exc}"[:4000])
                return job
            connection.set_schema_to_public()
            _set(job, name, "done", seconds=round(time.perf_counter() - started, 4), detail=str(detail)[:500])
        _save_progress(job, to=ProvisioningJob.Status.DONE, finished_at=timezone.now())
        forget_personal_data(job)
        return job
    finally:
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


# --- steps --------------------------------------------------------------------------------------------


def step_schema(job: ProvisioningJob, town: Municipality) -> str:
    method = create_town_schema(town.schema_name)
    if method != "existing":
        job.method = method
        ProvisioningJob.objects.filter(pk=job.pk).update(method=method)
    return method


def step_roles(job: ProvisioningJob, town: Municipality) -> str:
    if (job.step("schema") or {}).get("detail") in ("pool", "template"):
        # The template's rows include the role groups and grants of this very code version
        # (its fingerprint covers them; the schema-equality test proves it).
        return "from template"
    with schema_context(town.schema_name), transaction.atomic():
        seed_roles()
        return f"{Group.objects.count()} roles"


def step_settings(job: ProvisioningJob, town: Municipality) -> str:
    spec = job.spec
    branding = {k: v for k, v in (spec.get("branding") or {}).items() if k != "logo_png_b64"}
    logo = (spec.get("branding") or {}).get("logo_png_b64")
    existing_logo = (town.branding or {}).get("logo")
    with schema_context(town.schema_name), transaction.atomic():
        if logo and not existing_logo:
            from services.common.files.actions import store_upload

            upload = SimpleUploadedFile("logo.png", base64.b64decode(logo), content_type="image/png")
            stored = store_upload(
                upload,
                purpose="branding",
                public=True,
                allowed_types=("image/png",),
                max_bytes=2 * 1024 * 1024,
            )
            existing_logo = str(stored.public_id)
    if existing_logo:
        branding["logo"] = existing_logo
    town.branding = branding
    town.save(update_fields=["branding", "updated_at"])
    return "logo stored" if existing_logo else "no logo"


def step_departments(job: ProvisioningJob, town: Municipality) -> str:
    with schema_context(town.schema_name), transaction.atomic():
        existing = set(Department.objects.values_list("code", flat=True))
        new = [
            Department(code=d["code"], name_th=d["name_th"], name_en=d.get("name_en", ""))
            for d in job.spec.get("departments", [])
            if d["code"] not in existing
        ]
        Department.objects.bulk_create(new)
    return f"{len(new)} created"


def service_hooks() -> list[tuple[str, object]]:
    """(app label, seed_town callable) of every app that declares the hook on its AppConfig."""
    return [(c.label, c.seed_town) for c in apps.get_app_configs() if callable(getattr(c, "seed_town", None))]


def step_services(job: ProvisioningJob, town: Municipality) -> str:
    services = job.spec.get("services") or {}
    enabled = services.get("enabled", [])
    called = []
    with schema_context(town.schema_name):
        for label, hook in service_hooks():
            if label in SERVICE_CODES and label not in enabled:
                continue
            with transaction.atomic():
                hook(dict(services.get(label) or {}))
            called.append(label)
    return ", ".join(called) or "no service hooks installed"


def _people(job: ProvisioningJob) -> list[dict]:
    if "admin" not in job.spec:  # a finished job whose personal data was removed
        return []
    admin = dict(job.spec["admin"], roles=["town_admin"])
    return [admin, *job.spec.get("staff", [])]


def forget_personal_data(job: ProvisioningJob) -> None:
    """PDPA (data minimisation): once the town is live, the staff list lives in the town's schema
    only. The public copies (job spec, wizard draft, CSV report) keep counts, not people."""
    from .models import OnboardingDraft

    spec = dict(job.spec)
    people = 1 + len(spec.get("staff", [])) if "admin" in spec else spec.get("people_count", 0)
    for key in ("admin", "staff"):
        spec.pop(key, None)
    spec["people_count"] = people
    spec.get("branding", {}).pop("logo_png_b64", None)
    ProvisioningJob.objects.filter(pk=job.pk).update(spec=spec)
    job.spec = spec
    for draft in OnboardingDraft.objects.filter(job=job):
        data = dict(draft.data)
        if "people" in data:
            data["people"] = {
                "departments": data["people"].get("departments", []),
                "staff": [],
                "admin": {},
                "people_count": people,
            }
        data.get("branding", {}).pop("logo_png_b64", None)
        OnboardingDraft.objects.filter(pk=draft.pk).update(data=data, pending_staff_import={})


def step_staff(job: ProvisioningJob, town: Municipality) -> str:
    """Accounts in bulk (one insert for users, one for role memberships). The provisioning job in the
    public schema records who created them and from which spec."""
    people = _people(job)
    with schema_context(town.schema_name), transaction.atomic():
        departments = dict(Department.objects.values_list("code", "pk"))
        groups = dict(Group.objects.values_list("name", "pk"))
        existing = set(
            User.objects.filter(username__in=[p["username"] for p in people]).values_list(
                "username", flat=True
            )
        )
        new = []
        for person in people:
            if person["username"] in existing:
                continue
            user = User(
                username=person["username"],
                email=person["email"],
                first_name=person["first_name"],
                last_name=person.get("last_name", ""),
                phone=person.get("phone", ""),
                kind=User.Kind.STAFF,
                department_id=departments.get(person.get("department") or ""),
                date_joined=timezone.now(),
            )
            user.set_unusable_password()
            new.append(user)
        User.objects.bulk_create(new)
        ids = dict(
            User.objects.filter(username__in=[p["username"] for p in people]).values_list("username", "pk")
        )
        Membership = User.groups.through
        Membership.objects.bulk_create(
            [
                Membership(user_id=ids[p["username"]], group_id=groups[role])
                for p in people
                for role in p.get("roles", [])
                if role in groups
            ],
            ignore_conflicts=True,
        )
    return f"{len(new)} accounts created"


def link_base(job: ProvisioningJob, town: Municipality) -> str:
    """The town's address for invitation links: the one way every public link is built (town_url),
    unless the spec names a scheme or port of its own."""
    base = job.spec.get("link_base") or {}
    if not base.get("scheme") and not base.get("port"):
        return town_url("", town)
    scheme = base.get("scheme") or (
        "http" if settings.DEBUG or settings.PLATFORM_DOMAIN == "localhost" else "https"
    )
    port = f":{base['port']}" if base.get("port") else ""
    return f"{scheme}://{town.primary_host}{port}"


def invitation_text(*, town: Municipality, user: User, link: str) -> tuple[str, str]:
    subject = f"คำเชิญเข้าใช้ระบบ {town.name_th} / Invitation to {town.name_en}"
    body = (
        f"เรียน {polite_name(user.get_full_name())}\n\n"
        f"{town.name_th} เปิดใช้ระบบบริการออนไลน์ท้องถิ่นดิจิทัลแล้ว และได้สร้างบัญชีเจ้าหน้าที่ให้ท่าน\n"
        f"ชื่อผู้ใช้: {user.username}\n"
        f"กรุณาตั้งรหัสผ่านที่ลิงก์นี้ (ใช้ได้ครั้งเดียว): {link}\n\n"
        f"Dear {user.get_full_name()},\n\n"
        f"{town.name_en} is now live on Thongthin and a staff account was made for you.\n"
        f"Username: {user.username}\n"
        f"Set your password here (single use): {link}\n"
    )
    return subject, body


def step_invitations(job: ProvisioningJob, town: Municipality) -> str:
    base = link_base(job, town)
    queued = 0
    with schema_context(town.schema_name), transaction.atomic():
        users = User.objects.filter(username__in=[p["username"] for p in _people(job)])
        for user in users:
            if user.has_usable_password():
                continue  # already signed up; nothing to invite
            uid = urlsafe_base64_encode(force_bytes(user.pk))
            token = default_token_generator.make_token(user)
            path = reverse(
                "accounts:password_reset_confirm",
                kwargs={"uidb64": uid, "token": token},
                urlconf=settings.ROOT_URLCONF,
            )
            subject, body = invitation_text(town=town, user=user, link=base + path)
            message = outbox.enqueue(
                channel="email",
                recipient=user.email,
                subject=subject,
                body=body,
                key=f"invitation:{job.public_id}:{user.pk}",
            )
            queued += message is not None
    return f"{queued} invitations queued"


def step_go_live(job: ProvisioningJob, town: Municipality) -> str:
    with schema_context(town.schema_name):
        staff = User.objects.filter(kind=User.Kind.STAFF, is_active=True).count()
    if town.status != MunicipalityStatus.LIVE:
        move(town, to=MunicipalityStatus.LIVE, by=SYSTEM, transitions=TOWN_TRANSITIONS)
        town.went_live_at = town.went_live_at or timezone.now()
        # The console's figure until the town's heartbeat task takes over.
        town.staff_count = staff
        town.save(update_fields=["status", "went_live_at", "staff_count", "updated_at"])
    return town.primary_host


STEP_FUNCTIONS = {
    "schema": step_schema,
    "roles": step_roles,
    "settings": step_settings,
    "departments": step_departments,
    "services": step_services,
    "staff": step_staff,
    "invitations": step_invitations,
    "go_live": step_go_live,
}

__all__ = ["STEPS", "JobBusy", "run_job"]
