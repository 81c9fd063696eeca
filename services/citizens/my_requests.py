"""Everything one signed-in citizen has with the town, on one list: complaints, permit applications,
food notifications, bills and receipts — newest first, each with its status, next step and due date.

Read-only and per person: complaints they reported, cases they applied for (or took over), the bills
of payers they are linked to by proof (payments.selectors.payers_of_user) and the fees of their own
cases, and those bills' receipts. Nothing is matched by name or phone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from services.casework.billing import SOURCE
from services.casework.models import Case, CaseFee, CaseKind, CaseStatus
from services.common.money import format_baht
from services.complaints.models import Complaint
from services.complaints.workflow import ComplaintStatus
from services.payments.models import Invoice, Receipt
from services.payments.selectors import payers_of_user
from services.payments.workflow import InvoiceStatus

CASE_URLS = {CaseKind.BUILDING_PERMIT: "building_permits:my_case", CaseKind.FOOD_NOTIFICATION: "food_premises:my_case"}
SERVICE = {"complaint": "complaint", CaseKind.BUILDING_PERMIT: "permit", CaseKind.FOOD_NOTIFICATION: "food",
           "bill": "bill", "receipt": "receipt"}


@dataclass(frozen=True)
class Item:
    service: str          # complaint | permit | food | bill | receipt
    service_label: str
    reference: str
    title: str
    status: str
    status_label: str
    next_step: str
    due_date: dt.date | None
    at: dt.datetime
    url: str

    def as_dict(self) -> dict:
        return asdict(self)


def _day(value) -> dt.date | None:
    if value is None:
        return None
    return timezone.localtime(value).date() if isinstance(value, dt.datetime) else value


def _complaint_step(c: Complaint) -> str:
    if c.status == ComplaintStatus.RESOLVED:
        return _("ตรวจผลงาน แล้วยืนยันหรือขอเปิดเรื่องใหม่")
    if c.status in (ComplaintStatus.CLOSED, ComplaintStatus.REJECTED, ComplaintStatus.MERGED):
        return _("เสร็จสิ้น")
    if c.status == ComplaintStatus.REFERRED:
        return _("หน่วยงานที่รับเรื่องต่อกำลังดำเนินการ")
    return _("เจ้าหน้าที่กำลังดำเนินการ")


def case_step(case: Case) -> tuple[str, dt.date | None]:
    s = case.status
    if s == CaseStatus.DRAFT:
        return _("แนบเอกสารแล้วกดยื่นคำขอ"), None
    if s == CaseStatus.RETURNED:
        return _("แก้ไขเอกสารตามที่แจ้ง"), case.applicant_due_date
    if s == CaseStatus.APPROVED:
        return _("ชำระค่าธรรมเนียม"), case.due_date
    if s == CaseStatus.ISSUED:
        return _("ดาวน์โหลดเอกสารที่ออกให้"), None
    if s in (CaseStatus.REFUSED, CaseStatus.WITHDRAWN, CaseStatus.VOID):
        return _("เสร็จสิ้น"), None
    return _("เจ้าหน้าที่กำลังพิจารณา"), case.due_date


def _complaints(user) -> list[Item]:
    rows = Complaint.objects.filter(reporter_user=user).select_related("category").order_by("-received_at")
    return [Item(
        service="complaint", service_label=_("เรื่องร้องเรียน"), reference=c.tracking_code,
        title=c.category.name_th if c.category_id else "", status=c.status, status_label=c.get_status_display(),
        next_step=_complaint_step(c), due_date=_day(c.due_at) if c.is_open else None, at=c.received_at,
        url=reverse("complaints:track", args=[c.tracking_code]),
    ) for c in rows]


def _cases(user) -> list[Item]:
    items = []
    for case in Case.objects.filter(applicant=user).order_by("-created_at"):
        step, due = case_step(case)
        items.append(Item(
            service=SERVICE[case.kind], service_label=case.get_kind_display(),
            reference=case.tracking_code or _("ร่าง"), title=case.title, status=case.status,
            status_label=case.get_status_display(), next_step=step, due_date=due,
            at=case.submitted_at or case.created_at, url=reverse(CASE_URLS[case.kind], args=[case.public_id]),
        ))
    return items


def invoices_of(user):
    """The bills a citizen may see: those of payers linked to them by proof, and their own cases' fees."""
    fee_ids = [str(pk) for pk in CaseFee.objects.filter(case__applicant=user).values_list("public_id", flat=True)]
    return (Invoice.objects.filter(payer__in=payers_of_user(user)) | Invoice.objects.filter(
        source=SOURCE, source_id__in=fee_ids)).exclude(status=InvoiceStatus.CANCELLED).distinct()


def _bills(user) -> list[Item]:
    items = []
    invoices = list(invoices_of(user).order_by("-created_at"))
    for invoice in invoices:
        open_ = invoice.status == InvoiceStatus.OPEN
        items.append(Item(
            service="bill", service_label=_("ใบแจ้งหนี้"), reference=invoice.number,
            title=f"{invoice.payer_name} · {format_baht(invoice.total)} บาท", status=invoice.status,
            status_label=invoice.get_status_display(),
            next_step=_("ชำระเงิน (สแกน QR หรือที่เคาน์เตอร์)") if open_ else _("เสร็จสิ้น"),
            due_date=invoice.due_date if open_ else None,
            at=invoice.created_at,
            url=reverse("payments:invoice", args=[invoice.access_token]),
        ))
    for receipt in Receipt.objects.filter(invoice__in=[i.pk for i in invoices]).order_by("-issued_at"):
        items.append(Item(
            service="receipt", service_label=_("ใบเสร็จรับเงิน"), reference=receipt.display_number,
            title=f"{receipt.payer_name} · {format_baht(receipt.amount)} บาท", status=receipt.status,
            status_label=receipt.get_status_display(), next_step=_("ดาวน์โหลดใบเสร็จ"), due_date=None,
            at=receipt.issued_at, url=reverse("payments:receipt_verify", args=[receipt.verification_token]),
        ))
    return items


def requests_of(user) -> list[Item]:
    """All of it, newest first. Empty for anyone who is not a signed-in citizen."""
    if user is None or not user.is_authenticated or getattr(user, "kind", "") != "citizen":
        return []
    items = [*_complaints(user), *_cases(user), *_bills(user)]
    return sorted(items, key=lambda item: item.at, reverse=True)
