"""Roles seeded as groups in every town (see docs/architecture.md: roles table).

Each app declares what its roles may do as `role_permissions` on its AppConfig, so that services
never edit one shared list; seed_roles() collects them. Idempotent: safe after every migrate.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db import connection
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Role:
    code: str
    label_th: str
    label_en: str


ROLES: tuple[Role, ...] = (
    Role("town_admin", "ผู้ดูแลระบบ", "Town admin"),
    Role("executive", "ผู้บริหาร", "Executive"),
    Role("department_head", "ผู้อำนวยการกอง / หัวหน้าส่วน", "Department head"),
    Role("officer", "เจ้าหน้าที่", "Officer"),
    Role("oss_officer", "เจ้าหน้าที่ศูนย์บริการร่วม", "OSS officer"),
    Role("building_engineer", "นายช่าง / วิศวกร", "Building engineer"),
    Role("public_health_officer", "เจ้าพนักงานสาธารณสุข", "Public-health officer"),
    Role("finance_officer", "เจ้าหน้าที่การเงิน", "Finance officer"),
    Role("saraban_clerk", "เจ้าหน้าที่สารบรรณ", "Saraban clerk"),
    Role("bbuddy_volunteer", "อาสาสมัคร B-Buddy", "B-Buddy volunteer"),
)
ROLE_CODES = frozenset(r.code for r in ROLES)
ROLE_BY_CODE = {r.code: r for r in ROLES}
ROLE_CHOICES = [(r.code, _(r.label_th)) for r in ROLES]


def role_label(code: str, language: str = "th") -> str:
    """What a person reads for a role code: "ผู้ดูแลระบบ" / "Town admin", never `town_admin`."""
    role = ROLE_BY_CODE.get(code)
    if role is None:
        return code
    return role.label_en if language == "en" else role.label_th


def declared_permissions() -> dict[str, set[str]]:
    """role code → {"app_label.codename"} gathered from every installed app."""
    grants: dict[str, set[str]] = {code: set() for code in ROLE_CODES}
    for config in apps.get_app_configs():
        for role, perms in getattr(config, "role_permissions", {}).items():
            grants.setdefault(role, set()).update(perms)
    return grants


def seed_roles() -> None:
    """Create the role groups of the current town schema and grant their declared permissions."""
    from django.contrib.auth.models import Group, Permission

    grants = declared_permissions()
    wanted = {tuple(p.split(".", 1)) for perms in grants.values() for p in perms}
    by_key = {
        (p.content_type.app_label, p.codename): p
        for p in Permission.objects.select_related("content_type").filter(
            codename__in=[c for _, c in wanted]
        )
    }
    for role in ROLES:
        group, _created = Group.objects.get_or_create(name=role.code)
        perms = [by_key[tuple(p.split(".", 1))] for p in sorted(grants.get(role.code, ())) if tuple(p.split(".", 1)) in by_key]
        group.permissions.add(*perms)


def seed_roles_after_migrate(sender, **kwargs) -> None:
    # Permissions of every app exist only once post_migrate reached the last app with models.
    last = [c for c in apps.get_app_configs() if c.models_module is not None][-1]
    # Roles belong to towns only; the public schema has DGA admins, not town roles.
    if sender is last and connection.schema_name != "public":
        seed_roles()


def roles_holding(permission: str) -> list[Role]:
    """The roles whose declared permissions include `permission` ("app.codename"), in table order."""
    grants = declared_permissions()
    return [role for role in ROLES if permission in grants.get(role.code, set())]
