"""Send one message to check a town's channel end to end:

    manage.py send_test_message --town alpha --channel sms --to 0812345678 --text "ทดสอบ"

It goes through the outbox and the town's adapter like every message (so it uses the town's own
provider account when it has one), is delivered at once, and prints the provider and its message
id. Exit status 1 when the provider refused it (the reason is printed; nothing else is retried
from here, the outbox's sweep keeps retrying a temporary failure).
"""

from __future__ import annotations

import uuid

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import tenant_context

from services.common import outbox
from services.common.models import OutboxMessage
from tenants.models import Municipality


class Command(BaseCommand):
    help = "Send one test message (sms, line or email) through a town's outbox and print the provider's id."

    def add_arguments(self, parser):
        parser.add_argument("--town", required=True, help="the town's slug")
        parser.add_argument("--channel", required=True, choices=[c.value for c in OutboxMessage.Channel])
        parser.add_argument("--to", required=True, help="phone number, LINE user id or e-mail address")
        parser.add_argument("--text", required=True)

    def handle(self, *args, town: str, channel: str, to: str, text: str, **options):
        municipality = Municipality.objects.filter(slug=town).first()
        if municipality is None:
            raise CommandError(f"no town with slug {town!r}")
        if not text.strip():
            raise CommandError("--text is empty")
        with tenant_context(municipality):
            message = outbox.send_now(
                channel=channel, recipient=to.strip(), body=text, subject="ข้อความทดสอบ (test message)",
                key=f"test-message:{uuid.uuid4()}",
            )
        if message.status == OutboxMessage.Status.SENT:
            self.stdout.write(
                f"sent via {message.provider}: id {message.provider_message_id or '-'}"
                f" ({message.provider_status}, {message.segments} part(s), {message.cost} baht)"
            )
            return
        what = "refused" if message.status == OutboxMessage.Status.FAILED else "failed (the outbox will retry)"
        raise CommandError(f"{what} by {message.provider or channel}: {message.last_error}")
