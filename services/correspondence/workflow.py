"""Status table of a letter. Outgoing: draft → pending approval → approved (signed) → sent.
Incoming: received (from the exchange) → registered → presented → endorsed → closed, or returned.

Approval steps are checked per person in actions.decide_approval (only the current approver may
decide), so those transitions carry no role permission here.
"""

from __future__ import annotations

from typing import Final

from .models import LetterStatus as S
from .models import RecipientStatus as R

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

# A town that registers exchange letters on arrival (saraban setting auto_register_exchange): the
# system takes the receiving number, no clerk's permission involved.
AUTO_REGISTER: Final = {S.RECEIVED: {S.REGISTERED: None}}

# One addressee of an outgoing letter. The exchange's delivery record is copied on (delivered or
# failed), then the recipient's acknowledgement (registered or returned), which may come before the
# copy was read. A paper recipient has no electronic delivery to follow.
RECIPIENT_TRANSITIONS: Final = {
    R.QUEUED: {R.DELIVERED: None, R.FAILED: None, R.REGISTERED: None, R.RETURNED: None},
    R.DELIVERED: {R.REGISTERED: None, R.RETURNED: None},
    R.FAILED: {R.REGISTERED: None, R.RETURNED: None},
    R.REGISTERED: {},
    R.RETURNED: {},
    R.PAPER: {},
}
