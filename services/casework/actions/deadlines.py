"""Periodic work: warn before a statutory deadline runs out; returned notifications lapse."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from services.common.buddhist_era import BANGKOK, format_be_long
from services.common.workflow import move

from .. import notifications
from ..models import (
    Case,
    CaseEvent,
    CaseStatus,
)
from ..notifications import notify_staff, staff_with_role
from ..registry import case_type_for
from .common import record_event, settings_for


def escalate_due_cases(now: dt.datetime | None = None) -> int:
    """Warn the department heads before a statutory deadline runs out, and the executives once it
    is due or overdue. Each level is sent once per deadline (escalation_level)."""
    day = (now or timezone.now()).astimezone(BANGKOK).date()
    sent = 0
    open_cases = Case.objects.filter(
        status__in=[CaseStatus.SUBMITTED, CaseStatus.ACCEPTED, CaseStatus.INSPECTED, CaseStatus.REVIEWED],
        due_date__isnull=False,
    )
    for case_id in open_cases.values_list("pk", flat=True):
        with transaction.atomic():
            case = Case.objects.select_for_update(skip_locked=True).filter(pk=case_id).first()
            if case is None or case.due_date is None:
                continue
            left = (case.due_date - day).days
            warn = settings_for(case.kind).warn_days_before_due
            level, roles = 0, ()
            if left <= 1 and case.escalation_level < 2:
                level, roles = 2, ("executive", "department_head")
            elif left <= warn and case.escalation_level < 1:
                level, roles = 1, ("department_head",)
            if not level:
                continue
            case_type = case_type_for(case.kind)
            subject = _("ใกล้ครบกำหนดตามกฎหมาย: %(code)s") % {"code": case.tracking_code}
            body = _("%(kind)s %(code)s ครบกำหนดพิจารณาวันที่ %(date)s (เหลือ %(left)s วัน)") % {
                "kind": case_type.label_th,
                "code": case.tracking_code,
                "date": format_be_long(case.due_date),
                "left": left,
            }
            recipients = list(staff_with_role(*roles))
            if case.assigned_to_id and case.assigned_to not in recipients:
                recipients.append(case.assigned_to)
            notify_staff(recipients, subject=subject, body=body, key=f"escalate:{case.pk}:{case.due_date}:{level}")
            case.escalation_level = level
            case.save(update_fields=["escalation_level", "updated_at"])
            record_event(case, CaseEvent.Kind.ESCALATION, body, public=False)
            sent += 1
    return sent


def void_lapsed_returns(now: dt.datetime | None = None) -> int:
    """Returned notifications whose fix deadline passed become void (Public Health Act s.48)."""
    day = (now or timezone.now()).astimezone(BANGKOK).date()
    voided = 0
    for case_id in Case.objects.filter(status=CaseStatus.RETURNED, applicant_due_date__lt=day).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            case = Case.objects.select_for_update(skip_locked=True).filter(pk=case_id).first()
            if case is None or case.status != CaseStatus.RETURNED:
                continue
            transitions = case_type_for(case.kind).transitions
            if CaseStatus.VOID not in transitions.get(CaseStatus.RETURNED, {}):
                continue
            move(
                case,
                to=CaseStatus.VOID,
                by=None,
                transitions=transitions,
                note=_("ไม่แก้ไขภายในกำหนด คำขอเป็นอันยกเลิก"),
            )
            case.save()
            notifications.notify_applicant(
                case,
                subject=_("คำขอเป็นอันยกเลิก"),
                body=_("ไม่ได้แก้ไขภายในกำหนด คำขอเป็นอันยกเลิก ยื่นใหม่ได้ทุกเมื่อ"),
                key="void",
            )
            voided += 1
    return voided
