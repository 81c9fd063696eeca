from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "services.privacy"
    label = "privacy"
    verbose_name = "คุ้มครองข้อมูลส่วนบุคคล (PDPA)"
    role_permissions = {
        "town_admin": ["privacy.handle_requests", "privacy.edit_notice", "privacy.set_retention"],
    }
    backoffice_menu = [
        (_("คำขอของเจ้าของข้อมูล (PDPA)"), "privacy:queue", "privacy.handle_requests"),
        (_("ประกาศความเป็นส่วนตัว"), "privacy:edit_notice", "privacy.edit_notice"),
        (_("ระยะเวลาเก็บข้อมูลส่วนบุคคล"), "privacy:retention", "privacy.set_retention"),
    ]
    beat_schedule = {
        "privacy-retention": {
            "task": "tenants.tasks.for_each_town",
            "schedule": 24 * 3600.0,
            "args": ("services.privacy.tasks.apply_retention",),
        },
    }

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import DataSubjectRequest, PrivacyNotice, RetentionRule

        auditlog.register(PrivacyNotice)
        auditlog.register(DataSubjectRequest)
        auditlog.register(RetentionRule)
