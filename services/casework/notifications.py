"""Messages to applicants and staff about a case, through the outbox (sent after commit)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q

from services.common import outbox

from .models import Case


def notify_applicant(case: Case, *, subject: str, body: str, key: str) -> None:
    """E-mail and SMS (when we have them) to the applicant; `key` makes it sent once."""
    text = f"{body}\nเลขที่รับ {case.tracking_code}" if case.tracking_code else body
    if case.applicant_email:
        outbox.enqueue(
            channel="email",
            recipient=case.applicant_email,
            subject=subject,
            body=text,
            key=f"case:{case.pk}:{key}:email",
        )
    if case.applicant_phone:
        outbox.enqueue(
            channel="sms",
            recipient=case.applicant_phone,
            body=f"{subject}: {text}"[:480],
            key=f"case:{case.pk}:{key}:sms",
        )


def staff_with_role(*roles: str):
    User = get_user_model()
    return User.objects.filter(kind="staff", is_active=True).filter(Q(groups__name__in=roles)).distinct()


def notify_staff(users, *, subject: str, body: str, key: str) -> int:
    sent = 0
    for user in users:
        if user.email:
            outbox.enqueue(
                channel="email", recipient=user.email, subject=subject, body=body, key=f"{key}:user{user.pk}"
            )
            sent += 1
    return sent
