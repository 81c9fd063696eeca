"""The deploy command (`make migrate`): public schema, then only the towns that need it, in parallel,
then the provisioning template. Exits non-zero when any town failed (listed)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from onboarding.fleet import migrate_fleet


class Command(BaseCommand):
    help = (
        "Migrate the public schema, then every town that is behind (in parallel), and refresh the template."
    )

    def add_arguments(self, parser):
        parser.add_argument("--jobs", type=int, default=4, help="towns migrated at once (default 4)")
        parser.add_argument("--skip-public", action="store_true")

    def handle(self, *args, jobs: int, skip_public: bool, **options):
        report = migrate_fleet(jobs=jobs, skip_public=skip_public, stdout=self.stdout)
        self.stdout.write(report.summary())
        if report.failed:
            raise CommandError(
                "towns that failed (fix and re-run):\n  "
                + "\n  ".join(f"{schema}: {error}" for schema, error in report.failed.items())
            )
