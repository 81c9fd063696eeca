from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "เทศบาล / อปท. (Municipalities)"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import signals  # noqa: F401  (cache invalidation)
        from .models import Domain, Municipality

        auditlog.register(Municipality, exclude_fields=["heartbeat_at", "last_activity_at", "staff_count"])
        auditlog.register(Domain)
