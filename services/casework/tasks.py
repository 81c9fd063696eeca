"""Thin Celery wrappers; each runs in the schema of the town that sent it (fanned out per town)."""

from celery import shared_task

from . import actions


@shared_task(name="services.casework.tasks.escalate_due_cases")
def escalate_due_cases() -> int:
    return actions.escalate_due_cases()


@shared_task(name="services.casework.tasks.void_lapsed_returns")
def void_lapsed_returns() -> int:
    return actions.void_lapsed_returns()
