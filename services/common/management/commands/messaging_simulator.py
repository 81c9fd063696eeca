"""A local SMS/LINE provider for development: `manage.py messaging_simulator [--port 8216]`.

Speaks ThaiBulkSMS v2, Twilio and the LINE Messaging API (services/common/notify/simulator.py)
and prints every request it gets. Point the platform at it:

    SMS_PROVIDER=thaibulksms THAIBULKSMS_URL=http://127.0.0.1:8216 \
    THAIBULKSMS_API_KEY=tbs-key THAIBULKSMS_API_SECRET=tbs-secret make run
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from services.common.notify.simulator import ProviderSimulator


class Command(BaseCommand):
    help = "Serve a local ThaiBulkSMS / Twilio / LINE stand-in on loopback and print what it receives."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8216)

    def handle(self, *args, port: int, **options):
        simulator = ProviderSimulator().start(port)
        self.stdout.write(f"messaging simulator on {simulator.url} (ThaiBulkSMS key tbs-key / tbs-secret, "
                          f"Twilio {simulator.twilio_sid} / twilio-token, LINE token line-token)")
        seen = 0
        try:
            while True:
                time.sleep(0.5)
                for request in simulator.requests[seen:]:
                    fields = request.form or request.json or {}
                    self.stdout.write(f"{request.method} {request.path} {fields}")
                seen = len(simulator.requests)
        except KeyboardInterrupt:
            simulator.stop()
