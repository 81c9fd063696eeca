"""Status table of a letter. Outgoing: draft → pending approval → approved (signed) → sent.
Incoming: received (from the exchange) → registered → presented → endorsed → closed, or returned.

Approval steps are checked per person in actions.decide_approval (only the current approver may
decide), so those transitions carry no role permission here.
"""

from __future__ import annotations

from typing import Final

from .models import LetterStatus as S

TRANSITIONS: Final = {
    S.DRAFT: {S.PENDING_APPROVAL: "correspondence.draft_letter"},
    S.PENDING_APPROVAL: {S.APPROVED: None, S.DRAFT: None},
    S.APPROVED: {S.SENT: "correspondence.send_letter"},
    S.RECEIVED: {
        S.REGISTERED: "correspondence.register_letter",
        S.RETURNED: "correspondence.register_letter",
    },
    S.REGISTERED: {
        S.PRESENTED: "correspondence.register_letter",
        S.ENDORSED: "correspondence.endorse_letter",
        S.CLOSED: "correspondence.register_letter",
    },
    S.PRESENTED: {S.ENDORSED: "correspondence.endorse_letter"},
    S.ENDORSED: {S.CLOSED: None},
}

FINAL_STATES: Final = frozenset({S.SENT, S.RETURNED, S.CLOSED})
