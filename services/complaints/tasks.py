"""Thin Celery wrappers around actions; each runs in the schema of the town that sent it."""

from celery import shared_task

from . import actions, referrals


@shared_task(name="services.complaints.tasks.escalate_overdue", acks_late=True)
def escalate_overdue() -> int:
    return actions.escalate_overdue()


@shared_task(name="services.complaints.tasks.close_confirmed_by_silence", acks_late=True)
def close_confirmed_by_silence() -> int:
    return actions.close_confirmed_by_silence()


@shared_task(name="services.complaints.tasks.remind_referral_follow_ups", acks_late=True)
def remind_referral_follow_ups() -> int:
    return referrals.remind_follow_ups()
