"""Record every live town's heartbeat now (staff count, last activity), as the 5-minute task does.

    python manage.py record_heartbeats

`make run` calls it at start so the console's health column is true from the first minute.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django_tenants.utils import tenant_context

from tenants.models import Municipality, MunicipalityStatus
from tenants.tasks import record_town_heartbeat


class Command(BaseCommand):
    help = "Record the heartbeat of every live town now."

    def handle(self, *args, **options):
        towns = list(Municipality.objects.filter(status=MunicipalityStatus.LIVE))
        for town in towns:
            with tenant_context(town):
                record_town_heartbeat()
        self.stdout.write(f"heartbeat recorded for {len(towns)} town(s)")
