from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "services.common"
    label = "common"
    verbose_name = "ส่วนกลาง (Common)"
    role_permissions = {
        "town_admin": ["common.view_storedfile", "common.view_outboxmessage"],
        "executive": ["common.view_storedfile"],
    }

    def ready(self) -> None:
        from . import checks  # noqa: F401
