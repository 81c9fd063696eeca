"""Statuses a building permit case moves through, and who may move it (Building Control Act B.E. 2522)."""

from __future__ import annotations

from typing import Final

from services.casework.models import CaseStatus as S

from .models import PermitRequest

P = "building_permits."

TRANSITIONS: Final = {
    # The applicant files, fixes and withdraws (the action checks it is the applicant).
    S.DRAFT: {S.SUBMITTED: None, S.WITHDRAWN: None},
    S.SUBMITTED: {S.ACCEPTED: P + "check_documents", S.RETURNED: P + "check_documents", S.WITHDRAWN: None},
    S.RETURNED: {S.SUBMITTED: None, S.WITHDRAWN: None},
    # s.25: from here the official has 45 days; s.26: an unlicensed designer is refused outright.
    # s.27: the engineer may order corrections to the plans (back to the applicant).
    S.ACCEPTED: {
        S.INSPECTED: P + "inspect_site",
        S.RETURNED: P + "review_technical",
        S.REFUSED: P + "decide_permit",
    },
    S.INSPECTED: {
        S.REVIEWED: P + "review_technical",
        S.RETURNED: P + "review_technical",
        S.REFUSED: P + "decide_permit",
    },
    S.REVIEWED: {S.APPROVED: P + "decide_permit", S.REFUSED: P + "decide_permit"},
    # Issued by the system once the fee is paid.
    S.APPROVED: {S.ISSUED: None},
    S.ISSUED: {},
    S.REFUSED: {},
    S.WITHDRAWN: {},
}

# A renewal (s.35) or transfer (s.36) is decided once; the action checks decide_permit_request.
R = PermitRequest.Status
REQUEST_TRANSITIONS: Final = {
    R.PENDING: {R.APPROVED: P + "decide_permit_request", R.REFUSED: P + "decide_permit_request"},
    R.APPROVED: {},
    R.REFUSED: {},
}
