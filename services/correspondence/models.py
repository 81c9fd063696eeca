"""Models of e-Saraban (สารบรรณ), under the Regulation of the Prime Minister's Office on
Correspondence B.E. 2526 (amended 2548, 2560, 2564).

A Letter is one official letter, incoming or outgoing; its place in the receiving or sending
register is a RegisterEntry with a gapless number per Buddhist-era calendar year (ข้อ 43).
Approval, endorsement (เกษียณหนังสือ) and routing are separate rows so the whole trail shows on the
letter; every step also writes a LetterEvent.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LetterKind(models.TextChoices):
    # ข้อ 10: the six kinds of official letters.
    EXTERNAL = "external", _("หนังสือภายนอก")
    INTERNAL = "internal", _("หนังสือภายใน")
    STAMPED = "stamped", _("หนังสือประทับตรา")
    DIRECTIVE = "directive", _("หนังสือสั่งการ")
    PUBLIC_RELATIONS = "public_relations", _("หนังสือประชาสัมพันธ์")
    RECORD = "record", _("หนังสือที่เจ้าหน้าที่ทำขึ้นหรือรับไว้เป็นหลักฐาน")


class DocumentForm(models.TextChoices):
    """The regulation's form (แบบ) a letter is printed on: each kind of ข้อ 10 has one or more."""

    LETTER = "letter", _("หนังสือภายนอก")  # แบบที่ 1
    MEMO = "memo", _("บันทึกข้อความ")  # แบบที่ 2 (หนังสือภายใน)
    STAMPED = "stamped", _("หนังสือประทับตรา")  # แบบที่ 3
    ORDER = "order", _("คำสั่ง")  # แบบที่ 4
    REGULATION = "regulation", _("ระเบียบ")  # แบบที่ 5
    BYLAW = "bylaw", _("ข้อบังคับ")  # แบบที่ 6
    ANNOUNCEMENT = "announcement", _("ประกาศ")  # แบบที่ 7
    STATEMENT = "statement", _("แถลงการณ์")  # แบบที่ 8
    NEWS = "news", _("ข่าว")
    CERTIFICATE = "certificate", _("หนังสือรับรอง")  # แบบที่ 12
    MINUTES = "minutes", _("รายงานการประชุม")  # แบบที่ 13
    NOTE = "note", _("บันทึก")


# Which forms belong to which kind (ข้อ 10); the first is the kind's default.
FORMS_OF_KIND = {
    LetterKind.EXTERNAL: (DocumentForm.LETTER,),
    LetterKind.INTERNAL: (DocumentForm.MEMO,),
    LetterKind.STAMPED: (DocumentForm.STAMPED,),
    LetterKind.DIRECTIVE: (DocumentForm.ORDER, DocumentForm.REGULATION, DocumentForm.BYLAW),
    LetterKind.PUBLIC_RELATIONS: (DocumentForm.ANNOUNCEMENT, DocumentForm.STATEMENT, DocumentForm.NEWS),
    LetterKind.RECORD: (DocumentForm.CERTIFICATE, DocumentForm.MINUTES, DocumentForm.NOTE),
}
KIND_OF_FORM = {form: kind for kind, forms in FORMS_OF_KIND.items() for form in forms}
# Forms written to someone (เรียน / ถึง); the others are issued, not addressed.
ADDRESSED_FORMS = frozenset({DocumentForm.LETTER, DocumentForm.MEMO, DocumentForm.STAMPED, DocumentForm.NOTE})


class Urgency(models.TextChoices):
    NORMAL = "normal", _("ปกติ")
    URGENT = "urgent", _("ด่วน")
    VERY_URGENT = "very_urgent", _("ด่วนมาก")
    MOST_URGENT = "most_urgent", _("ด่วนที่สุด")


class Secrecy(models.TextChoices):
    # ระเบียบว่าด้วยการรักษาความลับของทางราชการ พ.ศ. 2544
    NORMAL = "normal", _("ปกติ")
    SECRET = "secret", _("ลับ")
    VERY_SECRET = "very_secret", _("ลับมาก")
    TOP_SECRET = "top_secret", _("ลับที่สุด")


class Direction(models.TextChoices):
    INCOMING = "incoming", _("หนังสือรับ")
    OUTGOING = "outgoing", _("หนังสือส่ง")


class SarabanSettings(models.Model):
    """ตั้งค่างานสารบรรณ — the town's letter prefix, letterhead and retention default (one row)."""

    # The LAO prefix pattern (province letters + agency digits) is unverified (domain-sources §5.3):
    # each town sets its own, e.g. "ชบ 52105".
    letter_prefix = models.CharField(
        _("รหัสหน่วยงานสำหรับเลขที่หนังสือ"),
        max_length=40,
        blank=True,
        help_text=_("เช่น ชบ 52105 — เลขที่หนังสือจะเป็น ที่ ชบ 52105/123"),
    )
    agency_name = models.CharField(_("ส่วนราชการเจ้าของหนังสือ"), max_length=255, blank=True)
    address = models.TextField(_("ที่อยู่"), blank=True)
    phone = models.CharField(_("โทรศัพท์"), max_length=100, blank=True)
    retention_years = models.PositiveSmallIntegerField(_("อายุการเก็บหนังสือ (ปี)"), default=10)
    auto_register_exchange = models.BooleanField(
        _("ลงทะเบียนรับหนังสือจากระบบแลกเปลี่ยนอัตโนมัติ"),
        default=False,
    )
    # Announcements: the regulation's form (แบบที่ 7) has no number, but many towns number them per
    # year like orders (unverified practice, so the town chooses).
    number_announcements = models.BooleanField(
        _("ออกเลขที่ประกาศเรียงตามปี (ที่ 1/2569)"),
        default=True,
    )
    # Minutes (ข้อ 25): ครั้งที่ runs from 1 each calendar year over the BE year, or on for the
    # life of the committee; the town chooses.
    minutes_number_per_year = models.BooleanField(
        _("ครั้งที่ประชุมเริ่มนับ 1 ใหม่ทุกปีปฏิทิน"),
        default=True,
    )
    # The signing certificate is the town's for every official PDF: services.common.SigningSettings.

    class Meta:
        verbose_name = _("ตั้งค่างานสารบรรณ")
        verbose_name_plural = _("ตั้งค่างานสารบรรณ")

    def __str__(self) -> str:
        return self.letter_prefix or "—"


class LetterTemplate(models.Model):
    """แบบฟอร์มหนังสือ — a reusable letter (e.g. invitation to a meeting) that pre-fills a draft."""

    name = models.CharField(_("ชื่อแบบฟอร์ม"), max_length=200)
    kind = models.CharField(
        _("ชนิดหนังสือ"), max_length=20, choices=LetterKind.choices, default=LetterKind.EXTERNAL
    )
    subject = models.CharField(_("เรื่อง"), max_length=500, blank=True)
    salutation = models.CharField(_("เรียน"), max_length=255, blank=True)
    body = models.TextField(_("ข้อความ"))
    closing = models.CharField(_("คำลงท้าย"), max_length=100, default="ขอแสดงความนับถือ")
    is_active = models.BooleanField(_("ใช้งาน"), default=True)

    class Meta:
        verbose_name = _("แบบฟอร์มหนังสือ")
        verbose_name_plural = _("แบบฟอร์มหนังสือ")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LetterStatus(models.TextChoices):
    # outgoing
    DRAFT = "draft", _("ร่าง")
    PENDING_APPROVAL = "pending_approval", _("รอผู้ลงนามพิจารณา")
    APPROVED = "approved", _("ลงนามแล้ว รอส่ง")
    SENT = "sent", _("ส่งแล้ว")
    # incoming
    RECEIVED = "received", _("รอลงทะเบียนรับ")
    REGISTERED = "registered", _("ลงทะเบียนรับแล้ว")
    PRESENTED = "presented", _("เสนอผู้บริหารแล้ว")
    ENDORSED = "endorsed", _("ผู้บริหารสั่งการแล้ว")
    RETURNED = "returned", _("ส่งคืนผู้ส่ง")
    CLOSED = "closed", _("ดำเนินการเสร็จ")


class Letter(models.Model):
    """หนังสือราชการ — one official letter, incoming or outgoing."""

    direction = models.CharField(_("ทาง"), max_length=10, choices=Direction.choices)
    kind = models.CharField(
        _("ชนิดหนังสือ"), max_length=20, choices=LetterKind.choices, default=LetterKind.EXTERNAL
    )
    urgency = models.CharField(_("ชั้นความเร็ว"), max_length=12, choices=Urgency.choices, default=Urgency.NORMAL)
    secrecy = models.CharField(_("ชั้นความลับ"), max_length=12, choices=Secrecy.choices, default=Secrecy.NORMAL)
    form = models.CharField(
        _("แบบหนังสือ"), max_length=20, choices=DocumentForm.choices, default=DocumentForm.LETTER
    )
    status = models.CharField(_("สถานะ"), max_length=20, choices=LetterStatus.choices)
    is_circular = models.BooleanField(_("หนังสือเวียน"), default=False)

    letter_number = models.CharField(_("ที่"), max_length=100, blank=True)
    letter_date = models.DateField(_("ลงวันที่"), null=True, blank=True)
    subject = models.CharField(_("เรื่อง"), max_length=500)
    salutation = models.CharField(_("เรียน"), max_length=255, blank=True)
    reference_to = models.CharField(_("อ้างถึง"), max_length=500, blank=True)
    enclosures = models.CharField(_("สิ่งที่ส่งมาด้วย"), max_length=500, blank=True)
    body = models.TextField(_("ข้อความ"), blank=True)
    closing = models.CharField(_("คำลงท้าย"), max_length=100, blank=True, default="ขอแสดงความนับถือ")
    sender_name = models.CharField(_("จาก"), max_length=255, blank=True)
    sender_code = models.CharField(_("รหัสหน่วยงานผู้ส่ง"), max_length=40, blank=True)
    recipient_name = models.CharField(_("ถึง"), max_length=500, blank=True)
    action_note = models.TextField(_("การปฏิบัติ"), blank=True)
    notes = models.TextField(_("หมายเหตุ"), blank=True)
    # ฉบับที่ of a regulation, by-law, statement or news item: only when there is more than one on the
    # same subject (ข้อ 17.2, 18.2, 20, 21), so the drafter says it.
    edition = models.PositiveSmallIntegerField(_("ฉบับที่"), null=True, blank=True)
    effective_from = models.DateField(_("ใช้บังคับตั้งแต่"), null=True, blank=True)
    # Minutes of a meeting (แบบที่ 13): committee, place, start/end time, who came, who did not, who
    # else attended, and who took the minutes.
    committee = models.CharField(_("ชื่อคณะที่ประชุม"), max_length=255, blank=True)
    meeting_place = models.CharField(_("สถานที่ประชุม"), max_length=255, blank=True)
    meeting_started = models.CharField(_("เริ่มประชุมเวลา"), max_length=20, blank=True)
    meeting_ended = models.CharField(_("เลิกประชุมเวลา"), max_length=20, blank=True)
    present = models.TextField(_("ผู้มาประชุม"), blank=True)
    absent = models.TextField(_("ผู้ไม่มาประชุม"), blank=True)
    attending = models.TextField(_("ผู้เข้าร่วมประชุม"), blank=True)
    minutes_taker = models.CharField(_("ผู้จดรายงานการประชุม"), max_length=255, blank=True)

    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ผู้ลงนาม"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signer_position = models.CharField(_("ตำแหน่งผู้ลงนาม"), max_length=255, blank=True)
    presented_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("เสนอต่อ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    exchange_message_id = models.UUIDField(null=True, blank=True, unique=True)
    retention_years = models.PositiveSmallIntegerField(_("อายุการเก็บ (ปี)"), default=10)
    keep_permanently = models.BooleanField(_("เก็บตลอดไป"), default=False)
    destroyed_at = models.DateTimeField(_("ทำลายเมื่อ"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("หนังสือราชการ")
        verbose_name_plural = _("หนังสือราชการ")
        ordering = ["-created_at"]
        permissions = [
            ("draft_letter", _("ร่างหนังสือส่ง")),
            ("register_letter", _("ลงทะเบียนรับหนังสือ")),
            ("send_letter", _("ออกเลขและส่งหนังสือ")),
            ("endorse_letter", _("เกษียณสั่งการหนังสือ")),
            ("view_register", _("ดูทะเบียนหนังสือรับ-ส่ง")),
            ("manage_saraban", _("ตั้งค่างานสารบรรณและทำลายหนังสือ")),
        ]

    def __str__(self) -> str:
        return f"{self.letter_number or '—'} {self.subject}"

    @property
    def number_text(self) -> str:
        """The number without the word "ที่" it is written after on the letter ("ชบ 52103/1"), for
        every place that prints the label "ที่" itself — so no page shows "ที่ ที่ ชบ 52103/1"."""
        number = (self.letter_number or "").strip()
        return number[3:].lstrip() if number.startswith("ที่ ") or number == "ที่" else number

    @property
    def is_secret(self) -> bool:
        return self.secrecy != Secrecy.NORMAL


class Register(models.TextChoices):
    RECEIVING = "receiving", _("ทะเบียนหนังสือรับ")
    SENDING = "sending", _("ทะเบียนหนังสือส่ง")
    # Series of their own: orders (ข้อ 16.2), announcements (town setting), certificates (ข้อ 24).
    ORDERS = "orders", _("ทะเบียนคำสั่ง")
    ANNOUNCEMENTS = "announcements", _("ทะเบียนประกาศ")
    CERTIFICATES = "certificates", _("ทะเบียนหนังสือรับรอง")


class RegisterEntry(models.Model):
    """รายการในทะเบียนหนังสือรับ/ส่ง — a letter's gapless registration number in one register."""

    register = models.CharField(_("ทะเบียน"), max_length=20, choices=Register.choices)
    year = models.PositiveIntegerField(_("ปี พ.ศ."))
    number = models.PositiveIntegerField(_("เลขทะเบียน"))
    letter = models.ForeignKey(Letter, on_delete=models.PROTECT, related_name="register_entries")
    registered_at = models.DateTimeField(_("วันที่ลงทะเบียน"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("รายการทะเบียน")
        verbose_name_plural = _("รายการทะเบียน")
        ordering = ["register", "-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["register", "year", "number"], name="uniq_register_year_number"),
            models.UniqueConstraint(fields=["register", "letter"], name="uniq_register_letter"),
        ]

    def __str__(self) -> str:
        return f"{self.number}/{self.year}"

    @property
    def display_number(self) -> str:
        return f"{self.number}/{self.year}"


class RecipientStatus(models.TextChoices):
    QUEUED = "queued", _("รอส่ง")
    DELIVERED = "delivered", _("ส่งถึงแล้ว")
    REGISTERED = "registered", _("ผู้รับลงทะเบียนแล้ว")
    RETURNED = "returned", _("ส่งคืน")
    FAILED = "failed", _("ส่งไม่สำเร็จ")
    PAPER = "paper", _("ส่งเป็นเอกสาร (ไม่ส่งทางอิเล็กทรอนิกส์)")


class LetterRecipient(models.Model):
    """ผู้รับหนังสือ — one addressee of an outgoing letter and what happened to the delivery."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="recipients")
    agency_code = models.CharField(_("รหัสหน่วยงาน"), max_length=40, blank=True)
    agency_name = models.CharField(_("หน่วยงาน"), max_length=255)
    status = models.CharField(
        _("สถานะ"), max_length=12, choices=RecipientStatus.choices, default=RecipientStatus.QUEUED
    )
    exchange_message_id = models.UUIDField(null=True, blank=True, unique=True)
    their_reference = models.CharField(_("เลขรับของผู้รับ"), max_length=200, blank=True)
    note = models.TextField(_("หมายเหตุ"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ผู้รับหนังสือ")
        verbose_name_plural = _("ผู้รับหนังสือ")

    def __str__(self) -> str:
        return self.agency_name


class ApprovalStep(models.Model):
    """ขั้นการพิจารณา — one person in the approval chain of an outgoing letter; the last one signs."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("รอพิจารณา")
        APPROVED = "approved", _("เห็นชอบ")
        REJECTED = "rejected", _("ส่งกลับแก้ไข")

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="approval_steps", db_index=False)
    round = models.PositiveSmallIntegerField(default=1)
    position = models.PositiveSmallIntegerField()
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    comment = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["round", "position"]
        constraints = [
            models.UniqueConstraint(fields=["letter", "round", "position"], name="uniq_approval_step")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.approver} ({self.decision})"


class Endorsement(models.Model):
    """เกษียณหนังสือ — the executive's written order on a received letter."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="endorsements")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    order_text = models.TextField(_("ข้อความสั่งการ"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.order_text[:60]


class Routing(models.Model):
    """การส่งต่อหนังสือ — the letter sent to a person or department, and their acknowledgement."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="routings")
    endorsement = models.ForeignKey(
        Endorsement, null=True, blank=True, on_delete=models.CASCADE, related_name="routings"
    )
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("หมายเหตุ"), blank=True)
    sent_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(_("รับทราบเมื่อ"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action_taken = models.TextField(_("การดำเนินการ"), blank=True)
    done_at = models.DateTimeField(_("ดำเนินการเสร็จเมื่อ"), null=True, blank=True)

    class Meta:
        ordering = ["sent_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(to_user__isnull=False) | models.Q(to_department__isnull=False),
                name="routing_has_addressee",
            ),
        ]

    def __str__(self) -> str:
        return str(self.to_user or self.to_department)


class LetterAttachment(models.Model):
    """ไฟล์ของหนังสือ — a scan, an enclosure, or the rendered letter PDF."""

    class Role(models.TextChoices):
        SCAN = "scan", _("ภาพสแกนหนังสือ")
        ENCLOSURE = "enclosure", _("สิ่งที่ส่งมาด้วย")
        RENDERED = "rendered", _("ตัวหนังสือ (PDF)")

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="attachments")
    file = models.ForeignKey("common.StoredFile", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.file.original_name


class LetterEvent(models.Model):
    """บันทึกเส้นทางหนังสือ — one step of the letter's trail, including every view of a secret letter."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=60)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    @property
    def label(self) -> str:
        if self.action.startswith("status:"):
            new = self.action.split("->")[-1]
            return str(_("เปลี่ยนสถานะเป็น %(s)s")) % {
                "s": LetterStatus(new).label if new in LetterStatus.values else new
            }
        if self.action.startswith("acknowledged:"):
            return str(_("ผู้รับตอบรับ: %(s)s")) % {"s": RecipientStatus(self.action.split(":")[1]).label}
        return str(EVENT_LABELS.get(self.action, self.action))


EVENT_LABELS = {
    "drafted": _("ร่างหนังสือ"),
    "approved": _("เห็นชอบ"),
    "sent": _("ออกเลขและส่ง"),
    "received_from_exchange": _("ได้รับจากระบบแลกเปลี่ยน"),
    "registered": _("ลงทะเบียนรับ"),
    "routed": _("ส่งต่อ"),
    "acknowledged": _("รับทราบ"),
    "action_done": _("ดำเนินการเสร็จ"),
    "viewed": _("เปิดอ่าน (หนังสือลับ)"),
    "view_denied": _("พยายามเปิดโดยไม่มีสิทธิ์"),
    "destroyed": _("ทำลายแล้ว"),
    "digitally_signed": _("ลงลายมือชื่อดิจิทัลด้วยใบรับรองของหน่วยงาน"),
    "signature_pending": _("ออกหนังสือแล้ว รอลงลายมือชื่อดิจิทัล"),
    "signature_unsigned": _("ออกหนังสือโดยไม่ได้ลงลายมือชื่อดิจิทัล"),
}
