"""Refresh the DGA dashboard now: every live town's monthly figures, then the national roll-up.

    python manage.py refresh_platform_summary [--months 12]

The periodic tasks do the same in small pieces (one task per town); this runs them in one go, for
`make run` after seeding and for an operator after a fix. A town that fails (schema locked by a
migration, a service's figures raising, suspended half way) is reported and recorded on the
console; the others are still refreshed and rolled up. Exit status 0 even then: the roll-up is done.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from onboarding.summary import refresh_platform_summary


class Command(BaseCommand):
    help = "Read every live town's monthly figures and roll them up for the DGA dashboard."

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=12, help="how many months back (default 12)")

    def handle(self, *args, months: int, **options):
        if not 1 <= months <= 120:
            raise CommandError("--months must be between 1 and 120")
        result = refresh_platform_summary(months=months)
        self.stdout.write(f"figures refreshed for {len(result['refreshed'])} town(s), {months} month(s) rolled up")
        for slug, reason in result["failed"].items():
            self.stderr.write(f"  {slug}: not refreshed — {reason}")
