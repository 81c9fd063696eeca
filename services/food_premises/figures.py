"""Food premises figures for the national summary: notifications, certificates issued, working days
from notification to certificate against the 7-working-day rule of the Public Health Act s.48."""

from __future__ import annotations

import datetime as dt

from services.casework.figures import case_figures
from services.casework.models import CaseKind

from .case_type import CERTIFICATE_WORKING_DAYS


def monthly_figures(start: dt.datetime, end: dt.datetime) -> dict | None:
    return case_figures(
        kind=CaseKind.FOOD_NOTIFICATION,
        start=start,
        end=end,
        limit_days=CERTIFICATE_WORKING_DAYS,
        working_days=True,
    )
