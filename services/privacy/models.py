"""PDPA (พ.ร.บ.คุ้มครองข้อมูลส่วนบุคคล พ.ศ. 2562) in one town: its privacy notice (versioned),
consents given against a version, data-subject requests (access, correction, erasure) answered
within 30 days, and how long each kind of record keeps personal data."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

RESPONSE_DAYS = 30  # PDPA s.30: the controller answers within 30 days of the request


class PrivacyNotice(models.Model):
    """ประกาศความเป็นส่วนตัว — each save by the town admin is a new version; consents name theirs."""

    version = models.PositiveIntegerField(_("ฉบับที่"), unique=True)
    body_th = models.TextField(_("เนื้อหา (ภาษาไทย)"))
    body_en = models.TextField(_("เนื้อหา (ภาษาอังกฤษ)"), blank=True)
    published_at = models.DateTimeField(_("ประกาศเมื่อ"), default=timezone.now)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    class Meta:
        ordering = ["-version"]
        permissions = [("edit_notice", _("แก้ไขประกาศความเป็นส่วนตัว"))]

    def __str__(self) -> str:
        return f"v{self.version}"


class ConsentRecord(models.Model):
    """One consent: who, to which notice version, for what, when and through which channel."""

    class Channel(models.TextChoices):
        WEB = "web", _("เว็บไซต์")
        DIGITAL_ID = "digital_id", _("เข้าสู่ระบบด้วย ThaiD")
        IN_PERSON = "in_person", _("ด้วยตนเองต่อหน้าเจ้าหน้าที่")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="consents")
    subject_reference = models.CharField(_("อ้างอิงเจ้าของข้อมูล"), max_length=80, blank=True)
    purpose = models.CharField(_("วัตถุประสงค์"), max_length=80)
    notice_version = models.PositiveIntegerField(_("ประกาศฉบับที่"))
    channel = models.CharField(_("ช่องทาง"), max_length=12, choices=Channel.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    given_at = models.DateTimeField(_("ให้ความยินยอมเมื่อ"), default=timezone.now)

    class Meta:
        ordering = ["-given_at"]

    def __str__(self) -> str:
        return f"{self.purpose} v{self.notice_version}"


class DataSubjectRequest(models.Model):
    """คำขอใช้สิทธิของเจ้าของข้อมูล — to be answered within 30 days."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("ขอรับสำเนาข้อมูล")
        CORRECTION = "correction", _("ขอแก้ไขข้อมูล")
        ERASURE = "erasure", _("ขอลบข้อมูล")

    class Status(models.TextChoices):
        OPEN = "open", _("รอดำเนินการ")
        DONE = "done", _("ดำเนินการแล้ว")
        REFUSED = "refused", _("ปฏิเสธพร้อมเหตุผล")

    kind = models.CharField(_("ประเภทคำขอ"), max_length=12, choices=Kind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="privacy_requests")
    details = models.TextField(_("รายละเอียด"), blank=True)
    status = models.CharField(_("สถานะ"), max_length=10, choices=Status.choices, default=Status.OPEN)
    received_at = models.DateTimeField(_("รับคำขอเมื่อ"), default=timezone.now)
    due_date = models.DateField(_("ต้องตอบภายใน"))
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(_("ผลการดำเนินการ"), blank=True)

    class Meta:
        ordering = ["due_date", "pk"]
        permissions = [("handle_requests", _("ดำเนินการคำขอของเจ้าของข้อมูล"))]

    def __str__(self) -> str:
        return f"{self.kind} {self.user_id}"

    def save(self, *args, **kwargs):
        if not self.due_date:
            self.due_date = (timezone.localtime(self.received_at) + dt.timedelta(days=RESPONSE_DAYS)).date()
        super().save(*args, **kwargs)

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_date < timezone.localdate()


class RetentionRule(models.Model):
    """How many years after closing a kind of record keeps its personal data."""

    class RecordType(models.TextChoices):
        COMPLAINT = "complaint", _("เรื่องร้องเรียน (ชื่อ โทรศัพท์ อีเมลผู้แจ้ง)")
        CASE_DRAFT = "case_draft", _("ร่างคำขอที่ไม่ได้ยื่น")
        MESSAGE = "message", _("ข้อความถึงประชาชน (เบอร์โทรศัพท์ อีเมล และเนื้อความ)")

    record_type = models.CharField(_("ประเภทข้อมูล"), max_length=20, choices=RecordType.choices, unique=True)
    years = models.PositiveSmallIntegerField(_("เก็บไว้ (ปี) หลังปิดเรื่อง"), default=2)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_run_count = models.PositiveIntegerField(default=0)

    class Meta:
        permissions = [("set_retention", _("ตั้งระยะเวลาเก็บข้อมูลส่วนบุคคล"))]

    def __str__(self) -> str:
        return f"{self.record_type}: {self.years}"
