"""Status tables of what casework owns itself: a case's fees and its certificate. The case's own
status follows the table of its service (services/<service>/workflow.py)."""

from __future__ import annotations

from typing import Final

from .models import CaseFee, Certificate

F = CaseFee.Status
# Paid at the counter (the action checks record_counter_payment), by a paid invoice (the system) or
# waived when no fee is due. Nothing in the code cancels a fee yet; a cancelled one stays cancelled.
FEE_TRANSITIONS: Final = {
    F.DUE: {F.PAID: None, F.CANCELLED: None},
    F.PAID: {},
    F.CANCELLED: {},
}

C = Certificate.Status
# Suspended for unpaid fees and reinstated once paid (the system); revoked with a reason by an
# official (the action checks <service>.revoke_certificate). A revocation is final.
CERTIFICATE_TRANSITIONS: Final = {
    C.VALID: {C.SUSPENDED: None, C.REVOKED: None},
    C.SUSPENDED: {C.VALID: None, C.REVOKED: None},
    C.REVOKED: {},
}
