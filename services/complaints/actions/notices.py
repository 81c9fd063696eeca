"""Messages to the reporter (and the people who said "me too") on every channel they gave; queued in the outbox in the caller's transaction."""

from __future__ import annotations

from django.utils.translation import gettext as _

from services.common import outbox
from services.common.links import town_url
from tenants.current import current_town

from ..board import notify_supporters
from ..models import (
    Complaint,
)
from .common import S


def tracking_url(complaint: Complaint) -> str:
    return town_url(f"/complaints/track/{complaint.tracking_code}/", current_town())


def access_url(complaint: Complaint) -> str:
    """The reporter's own link: opens the tracking page without the look-up (complaint.access_token)."""
    return town_url(f"/complaints/t/{complaint.access_token}/", current_town())


def notify_reporters(complaint: Complaint, *, key: str, text: str, confirmation: str = "") -> None:
    """One message per channel to the reporter of this case and of every case merged into it.

    With `confirmation`, this case's own reporter gets that request and their access link (which opens
    the tracking page directly) instead of the plain tracking address."""
    town = current_town()
    subject = f"[{town.short_code}] {complaint.tracking_code}"
    cases = [complaint, *Complaint.objects.filter(merged_into=complaint)]
    for case in cases:
        body = f"{town.name_th}: {text}\n{case.tracking_code} — {tracking_url(case)}"
        if confirmation and case.pk == complaint.pk:
            body = f"{town.name_th}: {text}\n{confirmation}\n{case.tracking_code} — {access_url(case)}"
        if case.reporter_phone:
            outbox.enqueue(
                channel="sms",
                recipient=case.reporter_phone,
                body=body,
                key=f"oss:{case.pk}:{key}:sms",
                subject=subject,
            )
        if case.reporter_email:
            outbox.enqueue(
                channel="email",
                recipient=case.reporter_email,
                body=body,
                key=f"oss:{case.pk}:{key}:email",
                subject=subject,
            )
        if case.reporter_line_id:
            # A LINE reporter gave no phone number, so the look-up (code + last phone digits) cannot
            # open their case: their own chat gets the access link, which opens it directly.
            line_body = body
            if not (confirmation and case.pk == complaint.pk):
                line_body = f"{town.name_th}: {text}\n{case.tracking_code} — {access_url(case)}"
            outbox.enqueue(
                channel="line",
                recipient=case.reporter_line_id,
                body=line_body,
                key=f"oss:{case.pk}:{key}:line",
                subject=subject,
            )


def notify_status_changed(complaint: Complaint, note: str = "", confirmation: str = "") -> None:
    event = getattr(complaint, "_last_event", None)
    label = S(complaint.status).label
    text = _("สถานะเรื่องของท่าน: %(status)s") % {"status": label}
    if note:
        text += f"\n{note}"
    key = f"event{event.pk if event else complaint.status}"
    notify_reporters(complaint, key=key, text=text, confirmation=confirmation)
    # People who said "me too" hear of the new status too, without the note (it may be about the reporter).
    notify_supporters(complaint, key=key, text=_("สถานะเรื่องที่ท่านพบด้วย: %(status)s") % {"status": label})
