"""Statuses of invoices, receipts, exceptions, bill runs and statement imports, and who may move them.

Every status field of payments changes through `services.common.workflow.move` with one of these tables.
"""

from __future__ import annotations

from typing import Final

from django.db import models
from django.utils.translation import gettext_lazy as _


class InvoiceStatus(models.TextChoices):
    OPEN = "open", _("รอชำระ")  # payable by QR, counter or statement
    PAID = "paid", _("ชำระแล้ว")  # fully paid; receipts issued
    CARRIED_FORWARD = "carried", _("ยกยอดไปใบใหม่")  # its balance became an arrears line of a newer bill
    CANCELLED = "cancelled", _("ยกเลิก")  # final; keeps its number


class ReceiptStatus(models.TextChoices):
    ISSUED = "issued", _("ออกแล้ว")
    CANCELLED = "cancelled", _("ยกเลิก")  # keeps its number, with a reason (MoI receipt regulation)


class ExceptionStatus(models.TextChoices):
    OPEN = "open", _("รอตรวจสอบ")
    RESOLVED = "resolved", _("ดำเนินการแล้ว")


class BillRunStatus(models.TextChoices):
    RUNNING = "running", _("กำลังออก")
    DONE = "done", _("เสร็จสิ้น")


class StatementStatus(models.TextChoices):
    PROCESSING = "processing", _("กำลังนำเข้า")
    DONE = "done", _("เสร็จสิ้น")
    FAILED = "failed", _("ไฟล์ไม่ถูกต้อง")


class PayerLinkStatus(models.TextChoices):
    REQUESTED = "requested", _("รอเจ้าหน้าที่ยืนยัน")
    ACTIVE = "active", _("เชื่อมแล้ว")
    REVOKED = "revoked", _("ยกเลิกแล้ว")


# None: the system fires it (a matched bank payment, a bill run); a string: the permission needed.
INVOICE_TRANSITIONS: Final = {
    InvoiceStatus.OPEN: {
        InvoiceStatus.PAID: None,
        InvoiceStatus.CARRIED_FORWARD: None,
        InvoiceStatus.CANCELLED: "payments.change_invoice",
    },
    # A cancelled receipt reopens the bill it paid.
    InvoiceStatus.PAID: {InvoiceStatus.OPEN: "payments.cancel_receipt"},
    InvoiceStatus.CARRIED_FORWARD: {},
    InvoiceStatus.CANCELLED: {},
}

RECEIPT_TRANSITIONS: Final = {
    ReceiptStatus.ISSUED: {ReceiptStatus.CANCELLED: "payments.cancel_receipt"},
    ReceiptStatus.CANCELLED: {},
}

EXCEPTION_TRANSITIONS: Final = {
    ExceptionStatus.OPEN: {ExceptionStatus.RESOLVED: "payments.resolve_exception"},
    ExceptionStatus.RESOLVED: {},
}

# A bill run is written in one transaction: it ends done or does not exist.
BILL_RUN_TRANSITIONS: Final = {
    BillRunStatus.RUNNING: {BillRunStatus.DONE: None},
    BillRunStatus.DONE: {},
}

# Only a queued upload is PROCESSING; a file read at once is created DONE.
STATEMENT_TRANSITIONS: Final = {
    StatementStatus.PROCESSING: {StatementStatus.DONE: None, StatementStatus.FAILED: None},
    StatementStatus.DONE: {},
    StatementStatus.FAILED: {},
}

# A citizen proves the payer's phone (any time, again after a revocation) or asks the town again;
# a finance officer confirms or revokes (the action checks payments.change_payer).
PAYER_LINK_TRANSITIONS: Final = {
    PayerLinkStatus.REQUESTED: {PayerLinkStatus.ACTIVE: None, PayerLinkStatus.REVOKED: "payments.change_payer"},
    PayerLinkStatus.ACTIVE: {PayerLinkStatus.ACTIVE: None, PayerLinkStatus.REVOKED: "payments.change_payer"},
    PayerLinkStatus.REVOKED: {
        PayerLinkStatus.REQUESTED: None,
        PayerLinkStatus.ACTIVE: None,
        PayerLinkStatus.REVOKED: "payments.change_payer",
    },
}
