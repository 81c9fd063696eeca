"""Seed the demo platform. Idempotent: a second run changes nothing."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from services.accounts.models import Department, User
from tenants import demo
from tenants.models import SERVICE_CODES, Domain, Municipality, MunicipalityStatus


class Command(BaseCommand):
    help = "Create the demo DGA admin, Bang Sare and Na Jomtien with staff in every role (idempotent)."

    def handle(self, *args, **options):
        created = []
        with schema_context("public"):
            if ensure_user(demo.DGA_ADMIN, kind=User.Kind.PLATFORM_ADMIN):
                created.append(demo.DGA_ADMIN["username"])
        for spec in demo.TOWNS:
            town, made = ensure_town(spec)
            if made:
                created.append(town.slug)
            with schema_context(town.schema_name):
                created += seed_town_people(spec["staff_prefix"])
        if created:
            self.stdout.write(self.style.SUCCESS("created: " + ", ".join(created)))
        else:
            self.stdout.write("demo data already present; nothing changed")


def ensure_town(spec: dict) -> tuple[Municipality, bool]:
    from django.conf import settings

    town = Municipality.objects.filter(slug=spec["slug"]).first()
    made = False
    if town is None:
        fields = {k: v for k, v in spec.items() if k != "staff_prefix"}
        town = Municipality(**fields, enabled_services=list(SERVICE_CODES),
                            status=MunicipalityStatus.LIVE, went_live_at=timezone.now())
        town.save()  # creates and migrates the schema
        made = True
    host = f"{spec['slug']}.{settings.PLATFORM_DOMAIN}"
    Domain.objects.get_or_create(domain=host, defaults={"tenant": town, "is_primary": True})
    return town, made


def ensure_user(fields: dict, *, kind: str, role: str | None = None, department: Department | None = None) -> bool:
    if User.objects.filter(username=fields["username"]).exists():
        return False
    with transaction.atomic():
        user = User(**fields, kind=kind, department=department, is_staff=kind == User.Kind.PLATFORM_ADMIN)
        user.set_password(demo.DEMO_PASSWORD)
        user.save()
        if role:
            user.groups.add(Group.objects.get(name=role))
    return True


def seed_town_people(prefix: str) -> list[str]:
    created = []
    departments = {}
    for code, name_th, name_en in demo.DEPARTMENTS:
        departments[code], _made = Department.objects.get_or_create(
            code=code, defaults={"name_th": name_th, "name_en": name_en}
        )
    for suffix, first, last, role, dept in demo.STAFF:
        username = f"{prefix}-{suffix}"
        fields = {"username": username, "email": f"{username}@example.org", "first_name": first, "last_name": last}
        if ensure_user(fields, kind=User.Kind.STAFF, role=role, department=departments[dept]):
            created.append(username)
    head = User.objects.filter(username=f"{prefix}-head").first()
    engineering = departments["engineering"]
    if head and engineering.head_id is None:
        engineering.head = head
        engineering.save(update_fields=["head"])
    citizen = {"username": f"{prefix}-citizen", "email": f"{prefix}-citizen@example.org",
               "first_name": "มาลี", "last_name": "ใจดี", "phone": "0812345678"}
    if ensure_user(citizen, kind=User.Kind.CITIZEN):
        created.append(citizen["username"])
    return created
