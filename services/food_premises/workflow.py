"""Statuses a food premises notification moves through (Public Health Act B.E. 2535 s.48)."""

from __future__ import annotations

from typing import Final

from services.casework.models import CaseStatus as S

from .models import ChangeNotice

P = "food_premises."

TRANSITIONS: Final = {
    S.DRAFT: {S.SUBMITTED: None, S.WITHDRAWN: None},
    # s.48: the receipt of notification is given at once; correct → certificate in 7 working days,
    # incorrect → the notifier is told within 7 working days what to fix.
    S.SUBMITTED: {
        S.ACCEPTED: P + "review_notification",
        S.RETURNED: P + "review_notification",
        S.WITHDRAWN: None,
    },
    # s.48: not fixed within 7 working days → the notification is void (fired by the periodic task).
    S.RETURNED: {S.SUBMITTED: None, S.WITHDRAWN: None, S.VOID: None},
    S.ACCEPTED: {
        S.INSPECTED: P + "inspect_premises",
        S.APPROVED: P + "issue_certificate",
        S.REFUSED: P + "issue_certificate",
    },
    S.INSPECTED: {S.APPROVED: P + "issue_certificate", S.REFUSED: P + "issue_certificate"},
    S.APPROVED: {S.ISSUED: None},
    S.ISSUED: {},
    S.REFUSED: {},
    S.WITHDRAWN: {},
    S.VOID: {},
}

# A notified change (operator, premises) is accepted or refused once; the action checks decide_change.
N = ChangeNotice.Status
CHANGE_TRANSITIONS: Final = {
    N.PENDING: {N.APPROVED: P + "decide_change", N.REFUSED: P + "decide_change"},
    N.APPROVED: {},
    N.REFUSED: {},
}
