from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitizensConfig(AppConfig):
    name = "services.citizens"
    label = "citizens"
    verbose_name = "ประชาชน: ยืนยันตัวตนดิจิทัล คำขอของฉัน (Citizens)"
    # who may file a permit or food notification for someone: the roles that file complaints for
    # people (OSS officers, B-Buddy volunteers) and the officers who receive those applications
    role_permissions = {
        "town_admin": ["citizens.manage_digital_id"],
        "oss_officer": ["citizens.file_case_on_behalf"],
        "bbuddy_volunteer": ["citizens.file_case_on_behalf"],
        "public_health_officer": ["citizens.file_case_on_behalf"],
        "building_engineer": ["citizens.file_case_on_behalf"],
    }
    backoffice_menu = [
        (_("ยืนยันตัวตนดิจิทัล (ThaiD)"), "citizens:providers", "citizens.manage_digital_id"),
        (_("ยื่นคำขอแทนประชาชน"), "citizens:assisted_list", "citizens.file_case_on_behalf"),
    ]

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import DigitalIdProvider

        auditlog.register(DigitalIdProvider, exclude_fields=["client_secret"])
