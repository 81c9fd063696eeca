"""Celery tasks of onboarding: provisioning jobs and the DGA dashboard summary."""

from __future__ import annotations

from celery import shared_task

from .pipeline import JobBusy, run_job


@shared_task(name="onboarding.tasks.provision_town_job", acks_late=True, bind=True, max_retries=20)
def provision_town_job(self, job_id: int) -> str:
    """Run or resume one provisioning job. acks_late: a worker killed half way leaves the message on
    the broker and the next worker finishes the job (every step is idempotent)."""
    try:
        job = run_job(job_id)
    except JobBusy as exc:
        raise self.retry(countdown=5) from exc
    return job.status
