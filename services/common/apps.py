from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    name = "services.common"
    label = "common"
    verbose_name = "ส่วนกลาง (Common)"
    role_permissions = {
        "town_admin": ["common.view_storedfile", "common.view_outboxmessage", "common.change_messagingsettings"],
        "executive": ["common.view_storedfile"],
    }

    backoffice_menu = [(_("ข้อความถึงประชาชน"), "staff_messages:page", "common.view_outboxmessage")]

    def monthly_figures(self, start, end):
        """Messages per channel, failures, SMS parts and cost for the national summary."""
        from .message_report import monthly_figures

        return monthly_figures(start, end)

    # Documents issued while the certificate or the timestamp authority failed (town setting
    # "queue"): signed as soon as signing works again.
    beat_schedule = {
        "common-sign-pending-documents": {
            "task": "tenants.tasks.for_each_town",
            "schedule": 600.0,
            "args": ("services.common.tasks.sign_pending_documents",),
        },
    }

    def ready(self) -> None:
        from . import checks  # noqa: F401
