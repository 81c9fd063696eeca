"""Add or update an agency outside the platform in the exchange directory.

    manage.py exchange_agency --code PVN0017 --name "สำนักงานจังหวัดชลบุรี" --endpoint https://…/inbound
    manage.py exchange_agency --code PVN0017 --rotate-key
    manage.py exchange_agency --code PVN0017 --deactivate
    manage.py exchange_agency --list

A new or rotated shared key is printed once: give it to the agency over a trusted channel.
"""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import URLValidator

from services.exchange.models import ExternalAgency


class Command(BaseCommand):
    help = "Add, update, rotate the key of, or deactivate an outside agency in the exchange directory."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--code")
        parser.add_argument("--name")
        parser.add_argument("--name-en", default=None)
        parser.add_argument("--endpoint", default=None)
        parser.add_argument("--rotate-key", action="store_true")
        parser.add_argument("--deactivate", action="store_true")
        parser.add_argument("--list", action="store_true")

    def handle(self, *args, **options) -> None:
        if options["list"]:
            for agency in ExternalAgency.objects.all():
                state = "active" if agency.is_active else "inactive"
                self.stdout.write(f"{agency.code}\t{agency.name_th}\t{agency.endpoint}\t{state}")
            return
        code = (options["code"] or "").strip()
        if not code:
            raise CommandError("--code is required")
        if options["endpoint"]:
            try:
                URLValidator(schemes=["https", "http"])(options["endpoint"])
            except ValidationError as exc:
                raise CommandError(f"invalid endpoint: {options['endpoint']}") from exc
        agency = ExternalAgency.objects.filter(code=code).first()
        new_key = None
        if agency is None:
            if not options["name"]:
                raise CommandError("--name is required for a new agency")
            new_key = secrets.token_urlsafe(32)
            agency = ExternalAgency(code=code, shared_key=new_key)
        if options["name"]:
            agency.name_th = options["name"]
        if options["name_en"] is not None:
            agency.name_en = options["name_en"]
        if options["endpoint"] is not None:
            agency.endpoint = options["endpoint"]
        if options["rotate_key"]:
            new_key = secrets.token_urlsafe(32)
            agency.shared_key = new_key
        agency.is_active = not options["deactivate"]
        agency.save()
        self.stdout.write(self.style.SUCCESS(f"{agency.code} {agency.name_th}: saved"))
        if new_key:
            self.stdout.write(f"shared key (shown once): {new_key}")
