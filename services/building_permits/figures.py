"""Building permit figures for the national summary: applications, permits issued, days from
filing to permit against the 45-day limit of the Building Control Act s.25, overdue cases."""

from __future__ import annotations

import datetime as dt

from services.casework.figures import case_figures
from services.casework.models import CaseKind

from .case_type import CONSIDERATION_DAYS


def monthly_figures(start: dt.datetime, end: dt.datetime) -> dict | None:
    return case_figures(
        kind=CaseKind.BUILDING_PERMIT, start=start, end=end, limit_days=CONSIDERATION_DAYS, working_days=False
    )
