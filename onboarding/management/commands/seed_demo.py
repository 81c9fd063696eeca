"""Seed the demo platform through the same path as a real roll-out (`provision_town`).

Idempotent: a second run changes nothing. Demo staff get the demo password instead of an e-mailed
invitation so that `make run` can be tried at once.
"""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django_tenants.utils import schema_context, tenant_context

from onboarding import demo
from onboarding.history import exchange_letters
from onboarding.service_defaults import default_service_settings
from services.accounts.models import Department, User
from tenants.models import Municipality


def town_spec(town: dict) -> dict:
    """A provision_town entry for one demo town."""
    prefix = town["staff_prefix"]
    services = default_service_settings(town["tax_id"])
    services["payments"]["promptpay_biller_id"] = town["promptpay_biller_id"]
    services["correspondence"]["letter_prefix"] = town["letter_prefix"]
    staff = [
        {
            "username": f"{prefix}-{suffix}",
            "first_name": first,
            "last_name": last,
            "email": f"{prefix}-{suffix}@example.org",
            "department": dept,
            "roles": [role],
        }
        for suffix, first, last, role, dept in demo.STAFF
        if role != "town_admin"
    ]
    admin_suffix, first, last, _role, dept = next(s for s in demo.STAFF if s[3] == "town_admin")
    spec = {
        key: town[key]
        for key in (
            "slug",
            "short_code",
            "name_th",
            "name_en",
            "kind",
            "lao_code",
            "tax_id",
            "province_code",
            "district_code",
            "address",
            "phone",
            "email",
            "boundary",
            "communities",
            "branding",
        )
    }
    spec.update(
        {
            "services": services,
            "departments": [
                {"code": code, "name_th": th, "name_en": en} for code, th, en in demo.DEPARTMENTS
            ],
            "admin": {
                "username": f"{prefix}-{admin_suffix}",
                "first_name": first,
                "last_name": last,
                "email": f"{prefix}-{admin_suffix}@example.org",
                "department": dept,
            },
            "staff": staff,
        }
    )
    return spec


class Command(BaseCommand):
    help = "Create the demo DGA admin, Bang Sare and Na Jomtien with staff in every role (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--history-months", type=int, default=12,
            help="months of lived-in history per demo town (seed_history; 0 for none)",
        )

    def handle(self, *args, history_months: int = 12, **options):
        created = []
        with schema_context("public"):
            if ensure_user(demo.DGA_ADMIN, kind=User.Kind.PLATFORM_ADMIN):
                created.append(demo.DGA_ADMIN["username"])
        before = set(Municipality.objects.filter(status="live").values_list("slug", flat=True))
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "demo-towns.json"
            path.write_text(
                json.dumps({"towns": [town_spec(t) for t in demo.TOWNS]}, ensure_ascii=False),
                encoding="utf-8",
            )
            call_command(
                "provision_town",
                str(path),
                no_invitations=True,
                stdout=self.stdout if options.get("verbosity", 1) > 1 else None,
            )
        for spec in demo.TOWNS:
            town = Municipality.objects.get(slug=spec["slug"])
            if town.slug not in before:
                created.append(town.slug)
            with tenant_context(town):  # the real town: filing the sample cases reads its code
                created += seed_town_people(spec["staff_prefix"])
                created += seed_referral_agencies()
            # Fee catalogue and payers, so the bill look-up works on the demo (idempotent).
            call_command(
                "seed_payments_demo",
                town=town.slug,
                citizen=f"{spec['staff_prefix']}-citizen",
                officer=f"{spec['staff_prefix']}-finance",
                stdout=io.StringIO(),
            )
        if history_months:
            # A year of activity first, so today's sample cases come last in the numbering.
            created += seed_histories([spec["slug"] for spec in demo.TOWNS], history_months, self.stdout)
            # Then the towns write to each other over the exchange (each pair once, ever).
            towns = [(Municipality.objects.get(slug=spec["slug"]), spec["staff_prefix"]) for spec in demo.TOWNS]
            if exchanged := exchange_letters(towns):
                created.append(f"{exchanged} letters exchanged between the demo towns")
        for spec in demo.TOWNS:
            town = Municipality.objects.get(slug=spec["slug"])
            if town.slug not in before:
                with tenant_context(town):
                    # Only for a town this run created: a later run must not undo what staff changed.
                    created += seed_public_board(spec)
        if created:
            self.stdout.write(self.style.SUCCESS("created: " + ", ".join(created)))
        else:
            self.stdout.write("demo data already present; nothing changed")


def seed_histories(slugs: list[str], months: int, stdout) -> list[str]:
    """`seed_history` for each demo town, the towns side by side (one process each: a town's year is
    independent of its neighbour's, and the machine has more than one core). Idempotent."""
    import os
    import subprocess
    import sys

    from django.conf import settings

    base = str(settings.BASE_DIR)
    env = {
        **os.environ,
        "DATABASE_URL": settings.DATABASE_URL,
        "PYTHONPATH": os.pathsep.join([base, os.path.join(base, "platform")]),
    }
    procs = {
        slug: subprocess.Popen(
            [sys.executable, str(settings.BASE_DIR / "manage.py"), "seed_history", "--town", slug,
             "--months", str(months)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for slug in slugs
    }
    written = []
    for slug, proc in procs.items():
        out, err = proc.communicate()
        if proc.returncode != 0:
            # The demo still runs without its history (each part is all-or-nothing): say why, loudly.
            stdout.write(f"WARNING: seed_history --town {slug} failed; the demo has no history there:\n{err[-4000:]}")
            continue
        stdout.write(out.strip())
        if "history already present" not in out:
            written.append(f"{slug} history")
    return written


def ensure_user(
    fields: dict, *, kind: str, role: str | None = None, department: Department | None = None
) -> bool:
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
    """Give the provisioned demo staff the demo password, make the citizen and a department head."""
    changed = []
    with transaction.atomic():
        for user in User.objects.filter(username__startswith=f"{prefix}-", kind=User.Kind.STAFF):
            if not user.has_usable_password():
                user.set_password(demo.DEMO_PASSWORD)
                user.save(update_fields=["password"])
                changed.append(user.username)
        head = User.objects.filter(username=f"{prefix}-head").first()
        engineering = Department.objects.filter(code="engineering").first()
        if head and engineering and engineering.head_id is None:
            engineering.head = head
            engineering.save(update_fields=["head"])
    citizen = {
        "username": f"{prefix}-citizen",
        "email": f"{prefix}-citizen@example.org",
        "first_name": "มาลี",
        "last_name": "ใจดี",
        "phone": "0812345678",
    }
    if ensure_user(citizen, kind=User.Kind.CITIZEN):
        changed.append(citizen["username"])
    return changed


def seed_referral_agencies() -> list[str]:
    """The outside agencies of the demo towns' referral directory (fictional phone numbers)."""
    from services.complaints.models import ReferralAgency

    added = []
    for name_th, name_en, kind, phone, notes in demo.REFERRAL_AGENCIES:
        _agency, created = ReferralAgency.objects.get_or_create(
            name_th=name_th, defaults={"name_en": name_en, "kind": kind, "phone": phone, "notes": notes}
        )
        if created:
            added.append(name_en)
    return added


def seed_public_board(spec: dict) -> list[str]:
    """Turn the public board on for a few categories and file the sample cases (new towns only)."""
    from decimal import Decimal

    from services.complaints import actions
    from services.complaints.models import Category, Community, Complaint, OssSettings

    settings_row = OssSettings.current()
    settings_row.public_board_enabled = True
    settings_row.save(update_fields=["public_board_enabled", "updated_at"])
    Category.objects.filter(code__in=demo.BOARD_CATEGORIES).update(on_public_board=True)
    if Complaint.objects.filter(description__in=[sample[1] for sample in demo.SAMPLE_COMPLAINTS]).exists():
        return []
    ring = spec["boundary"]["coordinates"][0]
    west, south = ring[0]
    east, north = ring[2]
    filed = []
    communities = list(Community.objects.filter(is_active=True).order_by("order", "pk"))
    # Demo communities get points along the town's diagonal (pins of private categories snap there).
    for index, community in enumerate(communities):
        if community.latitude is None:
            share = (index + 1) / (len(communities) + 1)
            community.latitude = Decimal(str(round(south + (north - south) * share, 6)))
            community.longitude = Decimal(str(round(west + (east - west) * share, 6)))
            community.save(update_fields=["latitude", "longitude"])
    for index, (code, description, (up, across), landmark) in enumerate(demo.SAMPLE_COMPLAINTS):
        category = Category.objects.filter(code=code, is_active=True).first()
        if category is None:
            continue
        filing = actions.Filing(
            category=category,
            description=description,
            latitude=Decimal(str(round(south + (north - south) * up, 6))),
            longitude=Decimal(str(round(west + (east - west) * across, 6))),
            address_text=landmark,
            community=communities[index % len(communities)] if communities else None,
            reporter_name="มาลี ใจดี",
            reporter_phone="0812345678",
            consent=True,
        )
        filed.append(actions.submit_complaint(filing=filing, ip="127.0.0.1").tracking_code)
    return filed
