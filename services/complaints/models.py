"""Models of One Stop Service (ศูนย์บริการร่วม): categories, complaints, their timeline and photos,
the town's working calendar, SLA settings and Open311 client keys."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from services.common.secret_box import EncryptedTextField

from .workflow import OPEN_STATUSES, ComplaintStatus, ReferralStatus

DESCRIPTION_MAX = 2000


class Community(models.Model):
    """ชุมชน — a community of the town, used to file and to filter complaints."""

    name_th = models.CharField(_("ชื่อชุมชน"), max_length=200, unique=True)
    name_en = models.CharField(_("ชื่อภาษาอังกฤษ"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    # A point for the community (its centre or its meeting hall): pins of private categories are
    # shown here on the public board instead of at the reporter's spot.
    latitude = models.DecimalField(_("ละติจูด"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("ลองจิจูด"), max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        verbose_name = _("ชุมชน")
        verbose_name_plural = _("ชุมชน")
        ordering = ["order", "name_th"]

    def __str__(self) -> str:
        return (get_language() == "en" and self.name_en) or self.name_th


class Category(models.Model):
    """ประเภทเรื่อง — what a complaint is about; also an Open311 service (`code` = service_code)."""

    code = models.SlugField(_("รหัส"), max_length=40, unique=True)
    name_th = models.CharField(_("ชื่อ"), max_length=120)
    name_en = models.CharField(_("ชื่อภาษาอังกฤษ"), max_length=120, blank=True)
    description = models.TextField(_("คำอธิบาย"), blank=True)
    icon = models.CharField(_("ไอคอน"), max_length=8, blank=True, help_text=_("อีโมจิหนึ่งตัว"))
    group = models.CharField(_("กลุ่ม"), max_length=60, blank=True)
    keywords = models.CharField(_("คำค้น"), max_length=200, blank=True)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("กองที่รับผิดชอบ"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaint_categories",
    )
    # Target in working hours (08:30–16:30 by default: 8 hours = 1 working day).
    sla_hours = models.PositiveSmallIntegerField(
        _("ระยะเวลาเป้าหมาย (ชั่วโมงทำการ)"),
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(2000)],
    )
    allow_anonymous = models.BooleanField(_("แจ้งโดยไม่ระบุตัวตนได้"), default=True)
    # Proof of resolution: an "after" photo is required to resolve (default on for infrastructure).
    requires_after_photo = models.BooleanField(_("ต้องมีรูปหลังดำเนินการจึงปิดงานได้"), default=False)
    # Public board: opt-in per category; private categories show the community, never the exact pin.
    on_public_board = models.BooleanField(_("แสดงบนกระดานสาธารณะ"), default=False)
    is_private = models.BooleanField(
        _("ข้อมูลส่วนบุคคล (แสดงเฉพาะชุมชน ไม่แสดงพิกัด)"), default=False
    )
    is_active = models.BooleanField(_("เปิดใช้"), default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("ประเภทเรื่อง")
        verbose_name_plural = _("ประเภทเรื่อง")
        ordering = ["order", "name_th"]

    def __str__(self) -> str:
        # Select boxes and pages follow the page language (English when the name is given).
        name = (get_language() == "en" and self.name_en) or self.name_th
        return f"{self.icon} {name}".strip()


class CategoryAttribute(models.Model):
    """An extra question of a category (Open311 service definition attribute)."""

    class Datatype(models.TextChoices):
        STRING = "string", _("ข้อความสั้น")
        NUMBER = "number", _("ตัวเลข")
        DATETIME = "datetime", _("วันเวลา")
        TEXT = "text", _("ข้อความยาว")
        SINGLE = "singlevaluelist", _("เลือกหนึ่งข้อ")
        MULTI = "multivaluelist", _("เลือกได้หลายข้อ")

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="attributes", db_index=False)
    code = models.SlugField(max_length=40)
    description = models.CharField(_("คำถาม"), max_length=200)
    datatype = models.CharField(max_length=20, choices=Datatype.choices, default=Datatype.STRING)
    datatype_description = models.CharField(max_length=200, blank=True)
    required = models.BooleanField(default=False)
    variable = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)
    # [{"key": "small", "name": "เล็ก"}] for the list types
    values = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="uniq_category_attribute_code")
        ]

    def __str__(self) -> str:
        return f"{self.category.code}:{self.code}"


class ComplaintQuerySet(models.QuerySet):
    def open(self) -> ComplaintQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, now: dt.datetime | None = None) -> ComplaintQuerySet:
        return self.open().filter(due_at__lt=now or timezone.now())


def new_access_token() -> str:
    return secrets.token_urlsafe(18)


class Complaint(models.Model):
    """เรื่องร้องเรียน / คำขอรับบริการ — one complaint or request, from filing to closing."""

    class Channel(models.TextChoices):
        WEB = "web", _("เว็บไซต์")
        WALK_IN = "walk_in", _("ติดต่อด้วยตนเอง")
        PHONE = "phone", _("โทรศัพท์")
        BBUDDY = "bbuddy", _("อาสาสมัคร B-Buddy")
        OPEN311 = "open311", _("แอป Open311")
        LINE = "line", _("LINE")
        REFERRAL = "referral", _("ส่งต่อจากหน่วยงานอื่น")  # a copy delivered by another town

    class LocationSource(models.TextChoices):
        PIN = "pin", _("ปักหมุดบนแผนที่")
        PHOTO = "photo", _("ตำแหน่งจากรูปถ่าย")
        API = "api", _("ส่งผ่าน API")

    class Closure(models.TextChoices):
        CONFIRMED = "confirmed", _("ผู้แจ้งยืนยันแล้ว")
        UNCONFIRMED = "unconfirmed", _("ปิดโดยไม่มีการยืนยัน")

    tracking_code = models.CharField(_("เลขติดตามเรื่อง"), max_length=30, unique=True)
    access_token = models.CharField(max_length=40, unique=True, default=new_access_token, editable=False)
    category = models.ForeignKey(
        Category, verbose_name=_("ประเภท"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    community = models.ForeignKey(
        Community, verbose_name=_("ชุมชน"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    description = models.TextField(_("รายละเอียด"), max_length=DESCRIPTION_MAX)
    latitude = models.DecimalField(_("ละติจูด"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("ลองจิจูด"), max_digits=9, decimal_places=6)
    location_source = models.CharField(
        max_length=10, choices=LocationSource.choices, default=LocationSource.PIN
    )
    address_text = models.CharField(_("จุดสังเกต / ที่อยู่"), max_length=300, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    # Reporter (PDPA: only what the service needs; empty when anonymous).
    is_anonymous = models.BooleanField(_("ไม่ระบุตัวตน"), default=False)
    reporter_name = models.CharField(_("ชื่อผู้แจ้ง"), max_length=200, blank=True)
    reporter_phone = models.CharField(_("โทรศัพท์ผู้แจ้ง"), max_length=20, blank=True)
    reporter_email = models.EmailField(_("อีเมลผู้แจ้ง"), blank=True)
    reporter_line_id = models.CharField(max_length=64, blank=True)
    reporter_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="complaints"
    )
    consent_at = models.DateTimeField(_("ยินยอมตาม PDPA เมื่อ"), null=True, blank=True)
    channel = models.CharField(_("ช่องทาง"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("บันทึกโดย / ผู้ช่วยแจ้ง"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints_filed",
        db_index=False,
    )
    open311_client = models.ForeignKey(
        "complaints.Open311Client", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Work
    status = models.CharField(
        _("สถานะ"), max_length=20, choices=ComplaintStatus.choices, default=ComplaintStatus.RECEIVED
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("กองที่รับผิดชอบ"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
        db_index=False,
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ผู้รับผิดชอบ"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints_assigned",
        db_index=False,
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    # Clock
    received_at = models.DateTimeField(_("วันที่รับเรื่อง"), default=timezone.now)
    due_at = models.DateTimeField(_("กำหนดเสร็จ"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("วันที่ดำเนินการแล้ว"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Working hours from received (or the last reopening) to resolved; the SLA measure.
    resolution_working_hours = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    # Proof of resolution (issue #9): who resolved it, and whether the "after" evidence rule was waived.
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_without_photo = models.BooleanField(default=False)
    photo_exception_reason = models.CharField(max_length=500, blank=True)
    closure = models.CharField(max_length=12, choices=Closure.choices, blank=True)
    # Public board: how many people said "me too" (Supporter rows; kept here for sorting and triage).
    supporter_count = models.PositiveIntegerField(default=0)
    # A complaint that arrived from another town through the exchange (referral), guarded once.
    referred_from_code = models.CharField(max_length=20, blank=True)
    referred_from_tracking_code = models.CharField(max_length=30, blank=True)
    exchange_message_id = models.UUIDField(null=True, blank=True, unique=True)
    # The key a phone gives a draft when it is written (offline or not): the same draft sent again
    # (a retry, Background Sync and the page both sending) finds this case instead of filing a second.
    filing_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    # Reporter's verdict
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = _("เรื่องร้องเรียน")
        verbose_name_plural = _("เรื่องร้องเรียน")
        ordering = ["-received_at"]
        permissions = [
            ("triage_complaint", _("คัดกรองเรื่อง (รับ/ไม่รับ/รวมเรื่อง/เปลี่ยนประเภท)")),
            ("assign_complaint", _("มอบหมายเรื่องให้เจ้าหน้าที่")),
            ("work_complaint", _("ดำเนินการและปิดงานเรื่องที่ได้รับมอบหมาย")),
            ("view_all_complaints", _("ดูเรื่องทั้งหมดของเทศบาล")),
            ("view_department_complaints", _("ดูเรื่องของกองตนเอง")),
            ("file_on_behalf", _("บันทึกเรื่องแทนประชาชน")),
            ("view_oss_dashboard", _("ดูแดชบอร์ดศูนย์บริการร่วม")),
            ("export_complaints", _("ส่งออกข้อมูลเรื่องร้องเรียน")),
            ("manage_oss_settings", _("ตั้งค่าศูนย์บริการร่วม (ประเภท ปฏิทินวันหยุด คีย์ Open311 LINE)")),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["category", "received_at"]),
            models.Index(fields=["department", "status"]),
            models.Index(fields=["assigned_to", "status"]),
            models.Index(fields=["filed_by"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="complaint_rating_1_5",
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_code

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return bool(self.is_open and self.due_at and self.due_at < timezone.now())

    @property
    def phone_last4(self) -> str:
        digits = "".join(c for c in self.reporter_phone if c.isdigit())
        return digits[-4:]

    def record_transition(self, *, old, new, by, note: str = "") -> None:
        """Called by services.common.workflow.move(): one timeline row per status change."""
        actor = by if (by is not None and getattr(by, "is_authenticated", False)) else None
        self._last_event = ComplaintEvent.objects.create(
            complaint=self,
            kind=ComplaintEvent.Kind.STATUS,
            from_status=old,
            to_status=new,
            text=note,
            is_public=True,
            by=actor,
        )


class ComplaintEvent(models.Model):
    """A line of the timeline: status change, public reply, internal note, assignment, escalation."""

    class Kind(models.TextChoices):
        STATUS = "status", _("เปลี่ยนสถานะ")
        PUBLIC_REPLY = "public_reply", _("ตอบกลับผู้แจ้ง")
        INTERNAL_NOTE = "internal_note", _("บันทึกภายใน")
        ASSIGNMENT = "assignment", _("มอบหมายงาน")
        RECATEGORISE = "recategorise", _("เปลี่ยนประเภท")
        ESCALATION = "escalation", _("แจ้งเตือนเกินกำหนด")
        MERGE = "merge", _("รวมเรื่อง")
        RATING = "rating", _("ประเมินความพึงพอใจ")
        REFERRAL = "referral", _("ส่งต่อเรื่อง")
        SUPPORT = "support", _("มีผู้แจ้งเรื่องเดียวกันเพิ่ม")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events", db_index=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    text = models.TextField(blank=True)
    # Internal notes are never shown to citizens; public replies and status changes always are.
    is_public = models.BooleanField(default=False)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ความเคลื่อนไหวของเรื่อง")
        verbose_name_plural = _("ความเคลื่อนไหวของเรื่อง")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["complaint", "created_at"])]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.kind} {self.to_status}"

    @property
    def status_label(self) -> str:
        return ComplaintStatus(self.to_status).label if self.to_status else ""


class ComplaintPhoto(models.Model):
    """A re-encoded photo: of the problem (from the reporter) or of the finished work ("after")."""

    class Kind(models.TextChoices):
        REPORT = "report", _("รูปประกอบการแจ้ง")
        AFTER = "after", _("รูปหลังดำเนินการ")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="photos")
    event = models.ForeignKey(
        ComplaintEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="photos"
    )
    file = models.ForeignKey("common.StoredFile", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.REPORT)
    # From the photo's EXIF, when present (read before re-encoding strips it).
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    taken_at = models.DateTimeField(null=True, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.kind}"


class Holiday(models.Model):
    """วันหยุดราชการ — a day the SLA clock does not run; Thai public holidays are seeded per year."""

    date = models.DateField(_("วันที่"), unique=True)
    name = models.CharField(_("ชื่อวันหยุด"), max_length=200)
    is_active = models.BooleanField(_("ใช้"), default=True, help_text=_("ยกเลิกเพื่อให้นับเป็นวันทำการ"))
    is_seeded = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("วันหยุด")
        verbose_name_plural = _("วันหยุด")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class HolidayYear(models.Model):
    """Marks that the packaged Thai calendar was copied for a year (so deletions are not undone)."""

    year = models.PositiveSmallIntegerField(unique=True)
    seeded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.year)


class OssSettings(models.Model):
    """ตั้งค่าศูนย์บริการร่วม — one row per town: office hours, baseline, LINE channel, limits."""

    work_day_start = models.TimeField(_("เวลาเริ่มทำการ"), default=dt.time(8, 30))
    work_day_end = models.TimeField(_("เวลาเลิกทำการ"), default=dt.time(16, 30))
    baseline_days = models.DecimalField(
        _("ระยะเวลาแก้ไขเดิม (วัน) ก่อนใช้ระบบ"), max_digits=5, decimal_places=1, default=Decimal("7.0")
    )
    # The day the town started taking complaints through this system: the dashboard's "before → now"
    # compares cases received before it with the period shown (from the town's own data).
    went_live_on = models.DateField(_("วันที่เริ่มใช้ระบบรับเรื่องออนไลน์"), null=True, blank=True)
    reopen_days = models.PositiveSmallIntegerField(_("เปิดเรื่องใหม่ได้ภายใน (วัน)"), default=7)
    submissions_per_ip_per_hour = models.PositiveSmallIntegerField(default=10)
    submissions_per_phone_per_day = models.PositiveSmallIntegerField(default=10)
    after_photo_max_distance_m = models.PositiveIntegerField(
        _("ระยะห่างสูงสุดของรูปหลังดำเนินการจากหมุด (เมตร)"), default=200
    )
    public_board_enabled = models.BooleanField(_("เปิดกระดานสาธารณะ"), default=False)
    supports_per_phone_per_day = models.PositiveSmallIntegerField(default=20)
    supports_per_ip_per_hour = models.PositiveSmallIntegerField(default=30)
    # The town's own LINE Official Account, sealed at rest (services/common/secret_box.py).
    line_channel_secret = EncryptedTextField(_("LINE channel secret"), blank=True)
    line_channel_access_token = EncryptedTextField(_("LINE channel access token"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ตั้งค่าศูนย์บริการร่วม")
        verbose_name_plural = _("ตั้งค่าศูนย์บริการร่วม")

    def __str__(self) -> str:
        return "OSS settings"

    @classmethod
    def current(cls) -> OssSettings:
        row = cls.objects.order_by("pk").first()
        return row if row is not None else cls.objects.create()

    @property
    def line_enabled(self) -> bool:
        return bool(self.line_channel_secret)


class Open311Client(models.Model):
    """ผู้ใช้ Open311 API — an app allowed to POST requests; only a hash of its key is kept."""

    name = models.CharField(_("ชื่อแอป / ผู้พัฒนา"), max_length=200)
    contact_email = models.EmailField(_("อีเมลติดต่อ"), blank=True)
    key_prefix = models.CharField(max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    is_active = models.BooleanField(_("ใช้งาน"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("คีย์ Open311")
        verbose_name_plural = _("คีย์ Open311")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"


class LineWebhookEvent(models.Model):
    """A LINE webhook event already handled (by its webhookEventId): LINE redelivers events it
    thinks were lost (deliveryContext.isRedelivery), and none may be acted on twice."""

    event_id = models.CharField(max_length=80, unique=True)
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.event_id


class LineConversation(models.Model):
    """What a LINE user has told us so far while filing (text first, then a location)."""

    line_user_id = models.CharField(max_length=64, unique=True)
    draft_text = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.line_user_id


class LineDraftPhoto(models.Model):
    """A photo a LINE user sent while filing, checked like a web upload, kept until the location."""

    conversation = models.ForeignKey(LineConversation, on_delete=models.CASCADE, related_name="photos")
    line_message_id = models.CharField(max_length=40, unique=True)
    image = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.line_message_id


class ReferralAgency(models.Model):
    """หน่วยงานภายนอก — an outside body a complaint can be referred to (electricity, waterworks, police…)."""

    class Kind(models.TextChoices):
        ELECTRICITY = "electricity", _("การไฟฟ้า")
        WATERWORKS = "waterworks", _("การประปา")
        HIGHWAYS = "highways", _("ทางหลวง")
        POLICE = "police", _("ตำรวจ")
        TELECOM = "telecom", _("โทรคมนาคม")
        OTHER = "other", _("อื่น ๆ")

    name_th = models.CharField(_("ชื่อหน่วยงาน"), max_length=200)
    name_en = models.CharField(_("ชื่อภาษาอังกฤษ"), max_length=200, blank=True)
    kind = models.CharField(_("ประเภท"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    contact_name = models.CharField(_("ผู้ประสานงาน"), max_length=200, blank=True)
    phone = models.CharField(_("โทรศัพท์"), max_length=40, blank=True)
    email = models.EmailField(_("อีเมล"), blank=True)
    notes = models.CharField(_("หมายเหตุ"), max_length=500, blank=True)
    is_active = models.BooleanField(_("ใช้งาน"), default=True)

    class Meta:
        verbose_name = _("หน่วยงานภายนอก")
        verbose_name_plural = _("หน่วยงานภายนอก")
        ordering = ["kind", "name_th"]
        constraints = [models.UniqueConstraint(fields=["name_th"], name="uniq_referral_agency_name")]

    def __str__(self) -> str:
        return self.name_th


class Referral(models.Model):
    """ส่งต่อเรื่อง — a complaint handed to another town on the platform or to an outside agency."""

    class Target(models.TextChoices):
        TOWN = "town", _("เทศบาล/อปท. อื่นบนแพลตฟอร์ม")
        AGENCY = "agency", _("หน่วยงานภายนอก")

    Status = ReferralStatus

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="referrals")
    target = models.CharField(max_length=10, choices=Target.choices)
    status = models.CharField(max_length=12, choices=Status.choices)
    reason = models.TextField(_("เหตุผลที่ส่งต่อ"))
    # target = town
    to_town_code = models.CharField(max_length=20, blank=True)  # LAO code (the exchange's agency code)
    to_town_name = models.CharField(max_length=200, blank=True)
    exchange_message_id = models.UUIDField(null=True, blank=True, unique=True)
    remote_tracking_code = models.CharField(max_length=30, blank=True)
    remote_status = models.CharField(max_length=20, blank=True)
    remote_updated_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    # target = agency
    agency = models.ForeignKey(ReferralAgency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    agency_reference = models.CharField(_("เลขที่อ้างอิงของหน่วยงาน"), max_length=100, blank=True)
    follow_up_on = models.DateField(_("วันที่ติดตาม"), null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("การส่งต่อเรื่อง")
        verbose_name_plural = _("การส่งต่อเรื่อง")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "follow_up_on"])]

    def __str__(self) -> str:
        return f"{self.complaint_id} → {self.to_town_code or self.agency_id}"


class Supporter(models.Model):
    """"ฉันก็เจอ" — one more person affected by an open complaint, instead of a duplicate filing."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="supporters")
    phone = models.CharField(max_length=20, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notify = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "phone"], condition=~models.Q(phone=""), name="uniq_supporter_phone"
            ),
            models.UniqueConstraint(
                fields=["complaint", "user"], condition=models.Q(user__isnull=False), name="uniq_supporter_user"
            ),
            models.CheckConstraint(
                condition=~models.Q(phone="") | models.Q(user__isnull=False), name="supporter_identified"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} supporter"
