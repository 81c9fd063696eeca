"""Thin Celery wrappers; each runs in the schema of the town that sent it (fanned out per town)."""

from celery import shared_task

from . import actions


@shared_task(name="services.casework.tasks.escalate_due_cases")
def escalate_due_cases() -> int:
    return actions.escalate_due_cases()


@shared_task(name="services.casework.tasks.void_lapsed_returns")
def void_lapsed_returns() -> int:
    return actions.void_lapsed_returns()


@shared_task(name="services.casework.tasks.issue_paid_certificate", acks_late=True)
def issue_paid_certificate(case_id: int) -> str:
    certificate = actions.issue_paid_certificate(case_id=case_id)
    return certificate.display_number if certificate else ""


@shared_task(name="services.casework.tasks.issue_paid_certificates")
def issue_paid_certificates() -> int:
    """Safety net: any approved case whose fee is paid but has no certificate yet (e.g. broker down)."""
    return actions.issue_paid_certificates()
