"""The complaint state machine: statuses and who may fire each transition.

received → accepted → assigned → in_progress → resolved → closed, with rejected, merged and
reopened on the side. A later `referred` state (hand-over to another town) slots in as one more
key of TRANSITIONS without touching move() or the views.
"""

from __future__ import annotations

from typing import Final

from django.db import models
from django.utils.translation import gettext_lazy as _


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("รับเรื่องแล้ว")  # filed; nobody has looked yet
    ACCEPTED = "accepted", _("รับเรื่องพิจารณา")  # triaged by the OSS centre, sent to a department
    ASSIGNED = "assigned", _("มอบหมายผู้รับผิดชอบแล้ว")  # one officer owns it
    IN_PROGRESS = "in_progress", _("กำลังดำเนินการ")
    RESOLVED = "resolved", _("ดำเนินการแล้ว")  # the reporter may confirm or reopen for 7 days
    CLOSED = "closed", _("ปิดเรื่อง")  # final
    REJECTED = "rejected", _("ไม่รับเรื่อง")  # final, with a public reason
    MERGED = "merged", _("รวมกับเรื่องอื่น")  # final; the surviving case carries the work
    REOPENED = "reopened", _("เปิดเรื่องใหม่")  # the reporter was not satisfied
    REFERRED = "referred", _("ส่งต่อหน่วยงานอื่น")  # handed to another town; SLA clock stopped


S = ComplaintStatus
TRIAGE = "complaints.triage_complaint"
ASSIGN = "complaints.assign_complaint"
WORK = "complaints.work_complaint"

# {from: {to: permission or None}}; None = the system or the reporter (checked by the action).
TRANSITIONS: Final = {
    S.RECEIVED: {S.ACCEPTED: TRIAGE, S.REJECTED: TRIAGE, S.MERGED: TRIAGE, S.ASSIGNED: ASSIGN},
    S.ACCEPTED: {S.ASSIGNED: ASSIGN, S.REJECTED: TRIAGE, S.MERGED: TRIAGE, S.REFERRED: TRIAGE},
    S.ASSIGNED: {S.ASSIGNED: ASSIGN, S.IN_PROGRESS: WORK, S.RESOLVED: WORK, S.REFERRED: TRIAGE},
    S.IN_PROGRESS: {S.ASSIGNED: ASSIGN, S.RESOLVED: WORK, S.REFERRED: TRIAGE},
    # A referred case leaves `referred` only through the referral actions (REFERRAL_EXITS), never
    # through the ordinary accept/assign/resolve buttons: the other town may be working on its copy.
    S.REFERRED: {},
    S.RESOLVED: {S.CLOSED: None, S.REOPENED: None},
    S.REOPENED: {S.ASSIGNED: ASSIGN, S.IN_PROGRESS: WORK, S.RESOLVED: WORK},
    S.CLOSED: {},
    S.REJECTED: {},
    S.MERGED: {},
}

# Used by services/complaints/referrals.py only: the receiving town declined (the system returns it
# to triage), the officer takes an agency referral back, or records the agency's fix.
REFERRAL_EXITS: Final = {S.REFERRED: {S.ACCEPTED: None, S.RESOLVED: WORK}}

class ReferralStatus(models.TextChoices):
    SENDING = "sending", _("กำลังส่ง")
    DELIVERED = "delivered", _("ส่งถึงแล้ว")
    DECLINED = "declined", _("ปลายทางไม่รับเรื่อง")
    FAILED = "failed", _("ส่งไม่สำเร็จ")
    OPEN = "open", _("รอหน่วยงานดำเนินการ")  # outside agency: waiting for them
    DONE = "done", _("หน่วยงานดำเนินการแล้ว")
    WITHDRAWN = "withdrawn", _("ดึงเรื่องกลับมาดำเนินการเอง")


R = ReferralStatus
# A referral to another town: sending until the other town holds a copy (its acknowledgement or
# first progress report), failed when the exchange gave up, declined when the copy was rejected.
# To an outside agency: open until the town records the agency's fix (WORK) or takes it back (the
# action checks TRIAGE or ASSIGN). Every end is final: a finished referral is not taken back.
REFERRAL_TRANSITIONS: Final = {
    R.SENDING: {R.DELIVERED: None, R.FAILED: None, R.DECLINED: None},
    R.FAILED: {R.DELIVERED: None, R.DECLINED: None},
    R.DELIVERED: {R.DECLINED: None},
    R.OPEN: {R.DONE: WORK, R.WITHDRAWN: None},
    R.DECLINED: {},
    R.DONE: {},
    R.WITHDRAWN: {},
}

OPEN_STATUSES: Final = (S.RECEIVED, S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS, S.REOPENED)
FINAL_STATUSES: Final = (S.CLOSED, S.REJECTED, S.MERGED)
# Open311 knows two statuses only (GeoReport v2 "status": open | closed).
OPEN311_CLOSED: Final = (S.RESOLVED, S.CLOSED, S.REJECTED, S.MERGED)
