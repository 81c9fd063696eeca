"""A year of realistic activity for a demo town, through the services' own actions.

    python manage.py seed_history --town bangsare [--months 12] [--seed 13] [--payers 4000]

Idempotent (a part already present is skipped) and seeded (two runs of the same seed tell the same
story). See onboarding/history.py for what happens; `seed_demo` calls it for both demo towns.
"""

from __future__ import annotations

import dataclasses
import time

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import tenant_context

from onboarding import demo
from onboarding.history import BANG_SARE, SMALLER, History
from tenants.models import Municipality


class Command(BaseCommand):
    help = "Write a year of lived-in history (complaints, bills, permits, letters) for a demo town."

    def add_arguments(self, parser):
        parser.add_argument("--town", required=True, help="the town's slug")
        parser.add_argument("--months", type=int, default=12)
        parser.add_argument("--seed", type=int, default=13)
        parser.add_argument("--payers", type=int, default=None, help="fee payers (default: the town's profile)")

    def handle(self, *args, town: str, months: int, seed: int, payers: int | None, **options):
        if not 1 <= months <= 24:
            raise CommandError("--months must be between 1 and 24")
        municipality = Municipality.objects.filter(slug=town).first()
        if municipality is None:
            raise CommandError(f"no town {town}")
        spec = next((t for t in demo.TOWNS if t["slug"] == town), None)
        if spec is None:
            raise CommandError(f"{town} is not a demo town: history is written only for the demo")
        profile = BANG_SARE if spec.get("history") == "full" else SMALLER
        if payers is not None:
            profile = dataclasses.replace(profile, payers=payers)
        began = time.monotonic()
        with tenant_context(municipality):
            report = History(
                town=municipality, prefix=spec["staff_prefix"], months=months, profile=profile, seed=seed
            ).run()
        for part, outcome in report.items():
            self.stdout.write(f"  {town} {part}: {outcome}")
        if all(outcome.startswith("already present") for outcome in report.values()):
            self.stdout.write(f"{town}: history already present; nothing changed")
        else:
            self.stdout.write(f"{town}: history of {months} months in {time.monotonic() - began:.1f} s")
