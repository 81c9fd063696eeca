"""The report period (`since`, `until`: ISO dates, Bangkok days) of the OSS dashboard and exports,
parsed one way for the staff pages and the API: the last 30 days by default, at most 366 days.

The API answers a bad period with a 400 naming the field (`PeriodInvalid`); a page shows the
default period instead (a hand-edited address never breaks the page)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .sla import BANGKOK

DEFAULT_DAYS = 30
MAX_DAYS = 366


class PeriodInvalid(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def today() -> dt.date:
    return timezone.now().astimezone(BANGKOK).date()


def default_period() -> tuple[dt.date, dt.date]:
    until = today()
    return until - dt.timedelta(days=DEFAULT_DAYS - 1), until


def report_period(params) -> tuple[dt.date, dt.date]:
    """(since, until) from a QueryDict; PeriodInvalid when a date is malformed, since is after
    until, or the period is longer than MAX_DAYS."""
    try:
        until = dt.date.fromisoformat(params.get("until")) if params.get("until") else today()
        since = (
            dt.date.fromisoformat(params.get("since"))
            if params.get("since")
            else until - dt.timedelta(days=DEFAULT_DAYS - 1)
        )
    except (TypeError, ValueError) as exc:
        raise PeriodInvalid("วันที่ต้องเป็นรูปแบบ YYYY-MM-DD (Dates must be YYYY-MM-DD)") from exc
    if since > until or (until - since).days > MAX_DAYS:
        raise PeriodInvalid("ช่วงวันที่ไม่ถูกต้อง (at most 366 days, since ≤ until)")
    return since, until


def page_period(params) -> tuple[dt.date, dt.date]:
    """The period for a staff page: the parsed one, else the default."""
    try:
        return report_period(params)
    except PeriodInvalid:
        return default_period()
