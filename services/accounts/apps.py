from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "services.accounts"
    label = "accounts"
    verbose_name = "บัญชีผู้ใช้ (Accounts)"
    # role code → permissions ("app_label.codename") this app grants; see roles.py
    role_permissions = {
        "town_admin": [
            "accounts.manage_staff", "accounts.view_user", "accounts.add_user", "accounts.change_user",
            "accounts.view_department", "accounts.add_department", "accounts.change_department",
            "accounts.view_audit_trail",
        ],
        "executive": ["accounts.view_user", "accounts.view_department"],
        "department_head": ["accounts.view_user", "accounts.view_department"],
    }

    backoffice_menu = [
        (_("เจ้าหน้าที่และบทบาท"), "people:list", "accounts.manage_staff"),
        (_("บันทึกการตรวจสอบ"), "backoffice:audit", "accounts.view_audit_trail"),
    ]

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import roles
        from .models import Department, User

        auditlog.register(User, exclude_fields=["password", "last_login"], m2m_fields={"groups"})
        auditlog.register(Department)
        post_migrate.connect(roles.seed_roles_after_migrate, dispatch_uid="thongthin_seed_roles")
