"""Status table of a data subject request (PDPA ss.30-36): open until a privacy officer handles it
once, done (with what was done) or refused (with why). The actions check the officer's role."""

from __future__ import annotations

from typing import Final

from .models import DataSubjectRequest

D = DataSubjectRequest.Status
TRANSITIONS: Final = {
    D.OPEN: {D.DONE: None, D.REFUSED: None},
    D.DONE: {},
    D.REFUSED: {},
}
