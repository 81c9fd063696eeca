"""Run the local Thai digital-ID provider (services/citizens/local_provider.py) until stopped.

    python manage.py digital_id_provider --port 8216 \\
        --client alpha-thaid:alpha-secret:http://alpha.localhost:8000/accounts/digital-id/callback/

Then register it on the town (back-office → ยืนยันตัวตนดิจิทัล): issuer http://127.0.0.1:8216,
the client id and secret above.
"""

from __future__ import annotations

import os
import sys

from django.core.management.base import BaseCommand, CommandError

from services.citizens.local_provider import LocalDigitalId


class Command(BaseCommand):
    help = "Run a local OpenID Connect provider that stands where ThaiD stands (development and tests)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("DIGITAL_ID_PORT", "8216")))
        parser.add_argument("--client", action="append", default=[],
                            help="client_id:client_secret:redirect_uri (repeat for each town)")

    def handle(self, *args, **options):
        provider = LocalDigitalId()
        httpd = provider.serve(options["port"])
        for spec in options["client"]:
            parts = spec.split(":", 2)
            if len(parts) != 3:
                raise CommandError(f"--client wants id:secret:redirect_uri, got {spec!r}")
            provider.add_client(parts[0], parts[1], [parts[2]])
        sys.stdout.write(f"digital ID provider on {provider.issuer}\n")
        sys.stdout.flush()
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            httpd.server_close()
