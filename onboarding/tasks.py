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


@shared_task(name="onboarding.tasks.refill_ready_pool")
def refill_ready_pool() -> int:
    """Keep the template current and the warm pool of ready town schemas full (beat: every minute).

    After a deploy that skipped `migrate_fleet`, the first run rebuilds the stale template, so new
    towns stop falling back to migrations within a minute."""
    from .schema_template import ensure_template, pool_size, refill_pool

    ensure_template()
    return refill_pool(pool_size())


@shared_task(name="onboarding.tasks.record_town_figures")
def record_town_figures() -> int:
    """Per town (fanned out by tenants.tasks.for_each_town): this town's monthly aggregates."""
    from .summary import record_town_figures as record

    return record()


@shared_task(name="onboarding.tasks.roll_up_platform_summary")
def roll_up_platform_summary() -> int:
    """Public: the DGA dashboard's monthly rows from the towns' aggregates."""
    from .summary import roll_up_platform_summary as roll_up

    return roll_up()


@shared_task(name="onboarding.tasks.resume_stalled_jobs")
def resume_stalled_jobs() -> int:
    """Public (beat, every minute): finish jobs whose worker died half way."""
    from .actions import resume_stalled_jobs as resume

    return len(resume())
