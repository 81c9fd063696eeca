"""How long a fix took, readable at a glance: {{ hours|calendar_time }} and {{ hours|working_time }}.

Shown in minutes under an hour, so a quick fix never reads "0.0 ชม." (it used to: medians were
rounded to a tenth of an hour). Working time counts office hours only, so a fix made in the evening
uses none: it reads "นอกเวลาทำการ (after office hours)" instead of a bare zero.
"""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

register = template.Library()


def _minutes(hours: float) -> str:
    minutes = round(hours * 60)
    if minutes < 1:
        return _("ไม่ถึง 1 นาที")
    return _("%(n)s นาที") % {"n": minutes}


@register.filter
def calendar_time(hours) -> str:
    """Calendar time: minutes under an hour, hours under a day, then days."""
    if hours is None:
        return "—"
    hours = float(hours)
    if hours < 1:
        return _minutes(hours)
    if hours < 24:
        return _("%(n)s ชม.") % {"n": f"{hours:.1f}"}
    return _("%(n)s วัน") % {"n": f"{hours / 24:.1f}"}


@register.filter
def working_time(hours) -> str:
    """Office hours used (the SLA clock): minutes under an hour; zero means the fix was made after hours."""
    if hours is None:
        return "—"
    hours = float(hours)
    if hours <= 0:
        return _("นอกเวลาทำการ")
    if hours < 1:
        return _minutes(hours)
    return _("%(n)s ชม. ทำการ") % {"n": f"{hours:.1f}"}
