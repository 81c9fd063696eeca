from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "onboarding"
    verbose_name = "Onboarding (รับหน่วยงานเข้าระบบ)"
    beat_schedule = {
        # Public-schema jobs: they run once, not per town.
        "onboarding-ready-pool": {"task": "onboarding.tasks.refill_ready_pool", "schedule": 60.0},
    }

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import OnboardingDraft, ProvisioningJob, TownStatusChange

        auditlog.register(OnboardingDraft, exclude_fields=["data", "pending_staff_import", "updated_at"])
        auditlog.register(ProvisioningJob, exclude_fields=["steps", "spec"])
        auditlog.register(TownStatusChange)
