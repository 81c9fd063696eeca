from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "onboarding"
    verbose_name = "Onboarding (รับหน่วยงานเข้าระบบ)"
    beat_schedule = {
        # Public-schema jobs: they run once, not per town.
        "onboarding-ready-pool": {"task": "onboarding.tasks.refill_ready_pool", "schedule": 60.0},
        "onboarding-stalled-jobs": {"task": "onboarding.tasks.resume_stalled_jobs", "schedule": 60.0},
        "onboarding-platform-summary": {
            "task": "onboarding.tasks.roll_up_platform_summary",
            "schedule": 3600.0,
        },
        # Fan-out: one small task per live town writes that town's aggregates (tenancy rule 6).
        "onboarding-town-figures": {
            "task": "tenants.tasks.for_each_town",
            "schedule": 3600.0,
            "args": ("onboarding.tasks.record_town_figures",),
        },
    }

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import OnboardingDraft, ProvisioningJob, TownStatusChange

        auditlog.register(OnboardingDraft, exclude_fields=["data", "pending_staff_import", "updated_at"])
        auditlog.register(ProvisioningJob, exclude_fields=["steps", "spec"])
        auditlog.register(TownStatusChange)
