"""Onboarding records in the public schema: wizard drafts, provisioning jobs, the captured town
template, status changes of towns, and the platform summary the DGA dashboard reads."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OnboardingDraft(models.Model):
    """ร่างการรับหน่วยงานเข้าระบบ — a wizard in progress; each step's cleaned data is kept here."""

    class Status(models.TextChoices):
        OPEN = "open", _("กำลังกรอก")
        SUBMITTED = "submitted", _("ส่งจัดเตรียมแล้ว")
        DISCARDED = "discarded", _("ยกเลิก")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    # {"identity": {...}, "web": {...}, "area": {...}, "services": {...}, "people": {...}, "branding": {...}}
    data = models.JSONField(default=dict, blank=True)
    # Highest step whose data validated (0 = none yet).
    completed_step = models.PositiveSmallIntegerField(default=0)
    # Staff rows parsed from the CSV upload, kept apart until the admin accepts them.
    pending_staff_import = models.JSONField(default=dict, blank=True)
    job = models.OneToOneField(
        "onboarding.ProvisioningJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="draft"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ร่างการรับหน่วยงานเข้าระบบ")
        verbose_name_plural = _("ร่างการรับหน่วยงานเข้าระบบ")
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        identity = self.data.get("identity", {})
        return identity.get("name_th") or str(self.public_id)

    @property
    def title(self) -> str:
        return str(self)


class ProvisioningJob(models.Model):
    """งานจัดเตรียมหน่วยงาน — one town's provisioning run, resumable step by step."""

    class Status(models.TextChoices):
        READY = "ready", _("พร้อมจัดเตรียม")
        QUEUED = "queued", _("รอคิว")
        RUNNING = "running", _("กำลังทำงาน")
        DONE = "done", _("เสร็จสิ้น")
        FAILED = "failed", _("ล้มเหลว")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(
        "tenants.Municipality", on_delete=models.CASCADE, related_name="provisioning_jobs"
    )
    # The validated town spec (same shape as a provision_town YAML/JSON entry).
    spec = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.READY)
    # [{"name": "schema", "state": "done", "started_at": iso, "seconds": 0.21, "detail": "..."}]
    steps = models.JSONField(default=list, blank=True)
    method = models.CharField(max_length=20, blank=True, help_text="template | migrations")
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Last sign of life (queued or a step written): the stalled-job sweeper compares against it.
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("งานจัดเตรียมหน่วยงาน")
        verbose_name_plural = _("งานจัดเตรียมหน่วยงาน")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.municipality} · {self.get_status_display()}"

    def step(self, name: str) -> dict | None:
        return next((s for s in self.steps if s.get("name") == name), None)


class SchemaTemplate(models.Model):
    """The DDL (and seed rows) of a town schema at the current migration state, captured once per
    deploy from a migrated template schema and replayed for every new town."""

    schema_name = models.CharField(max_length=63, unique=True)
    fingerprint = models.CharField(max_length=64)
    ddl = models.TextField()
    statement_count = models.PositiveIntegerField(default=0)
    table_count = models.PositiveIntegerField(default=0)
    build_seconds = models.FloatField(default=0)
    captured_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("แม่แบบ schema")
        verbose_name_plural = _("แม่แบบ schema")

    def __str__(self) -> str:
        return f"{self.schema_name} @ {self.fingerprint[:12]}"


class TownStatusChange(models.Model):
    """บันทึกการเปลี่ยนสถานะหน่วยงาน — suspend, reactivate, archive: who, why, when."""

    municipality = models.ForeignKey(
        "tenants.Municipality", on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=20)
    to_status = models.CharField(max_length=20)
    reason = models.TextField()
    archive_file = models.CharField(max_length=500, blank=True)
    archive_sha256 = models.CharField(max_length=64, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("การเปลี่ยนสถานะหน่วยงาน")
        verbose_name_plural = _("การเปลี่ยนสถานะหน่วยงาน")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.municipality}: {self.from_status} → {self.to_status}"


class TownMonthlyFigures(models.Model):
    """Aggregates of one town for one month, written by that town's summary task (no personal data)."""

    municipality = models.ForeignKey("tenants.Municipality", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="first day of the month")
    requests_filed = models.PositiveIntegerField(default=0)
    requests_resolved = models.PositiveIntegerField(default=0)
    median_resolution_hours = models.FloatField(null=True, blank=True)
    median_resolution_working_hours = models.FloatField(null=True, blank=True)
    money_collected = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    # Each service's own figures, keyed by app label (see onboarding/summary.py for the shapes).
    figures = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["municipality", "month"], name="uniq_town_month_figures")
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.month:%Y-%m}"


class PlatformMonthlySummary(models.Model):
    """One row per month for the DGA dashboard, rolled up from TownMonthlyFigures by a periodic task."""

    month = models.DateField(unique=True)
    towns_went_live = models.PositiveIntegerField(default=0)
    towns_live_total = models.PositiveIntegerField(default=0)
    requests_filed = models.PositiveIntegerField(default=0)
    requests_resolved = models.PositiveIntegerField(default=0)
    median_resolution_hours = models.FloatField(null=True, blank=True)
    median_resolution_working_hours = models.FloatField(null=True, blank=True)
    money_collected = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    # How many towns had figures for the month: 0 means "no data", not zero activity.
    towns_reporting = models.PositiveIntegerField(default=0)
    figures = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def has_data(self) -> bool:
        return self.towns_reporting > 0


class TownFiguresStatus(models.Model):
    """The last attempt to read one town's figures: when it worked, and why it last failed."""

    municipality = models.OneToOneField(
        "tenants.Municipality", on_delete=models.CASCADE, related_name="figures_status"
    )
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("สถานะการรวบรวมสถิติของหน่วยงาน")
        verbose_name_plural = _("สถานะการรวบรวมสถิติของหน่วยงาน")

    def __str__(self) -> str:
        return f"{self.municipality_id} {'failed' if self.is_failing else 'ok'}"

    @property
    def is_failing(self) -> bool:
        return bool(
            self.last_failure_at and (self.last_success_at is None or self.last_failure_at > self.last_success_at)
        )


class ReadySchema(models.Model):
    """A town schema already replayed from the current template, waiting to be claimed (renamed)
    by the next provisioning — the warm pool. Claimed with FOR UPDATE SKIP LOCKED."""

    schema_name = models.CharField(max_length=63, unique=True)
    fingerprint = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.schema_name
