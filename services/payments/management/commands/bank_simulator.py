"""Development bank: "pay" a Thai QR payload by calling the town's confirmation endpoint, signed like a bank.

    python manage.py bank_simulator --town alpha --payload 000201...6304ABCD
    python manage.py bank_simulator --town alpha --invoice ALP2569000001 [--amount 100.00] [--times 2]
    python manage.py bank_simulator --town alpha --end-of-day eod.txt [--date 2026-11-25]
    python manage.py bank_simulator --serve [--bank-port 8215] [--no-callbacks]

The --serve form runs the local bank (services/payments/local_bank.py): SCB's and KBank's OAuth
token and inquiry APIs, the statement file, and POST /_control/pay {"payload", "bank",
"callback_url", "host"} to pay a QR and call the town back in that bank's format (unless
--no-callbacks: then only the chase job finds the payment). Point the town's bank connection at
http://127.0.0.1:<bank-port>/scb (or /kbank) with key "local-key" and secret "local-secret".

The last form writes the bank's end-of-day BOT file (256-char TIS-620) of the day's callback
payments, to try reconciliation (upload it in the back-office or `manage.py import_statement`).

By default it POSTs over HTTP to --base-url (the dev server on $PORT, as `make run` serves it) with
the town's Host header; --in-process uses Django's test client instead (no server needed).
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
import uuid
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_tenants.utils import tenant_context

from services.common.buddhist_era import BANGKOK
from services.payments import banks, promptpay
from services.payments.models import Invoice, PaymentSettings
from tenants.models import Municipality


class Command(BaseCommand):
    help = "Pay a Thai QR payload (or an invoice's) through the town's bank confirmation endpoint."

    def add_arguments(self, parser):
        parser.add_argument("--town", help="town slug")
        parser.add_argument("--serve", action="store_true", help="run the local bank until stopped")
        parser.add_argument("--bank-port", type=int, default=int(os.environ.get("BANK_PORT", "8215")))
        parser.add_argument("--no-callbacks", action="store_true", help="the local bank never calls back")
        parser.add_argument("--payload", help="the QR payload as a banking app reads it")
        parser.add_argument("--invoice", help="an invoice number instead of a payload")
        parser.add_argument("--amount", help="pay a different amount than the QR says (partial/over payment)")
        parser.add_argument(
            "--times", type=int, default=1, help="deliver the same confirmation this many times"
        )
        parser.add_argument("--transaction-id", help="the bank transaction id (default: random)")
        parser.add_argument(
            "--base-url", default=f"http://127.0.0.1:{os.environ.get('PORT', '8000')}", help="the town's server"
        )
        parser.add_argument("--in-process", action="store_true", help="use Django's test client, not HTTP")
        parser.add_argument("--end-of-day", metavar="PATH", help="write the day's BOT statement file instead")
        parser.add_argument("--date", help="day of the end-of-day file (YYYY-MM-DD, Bangkok; default today)")

    def handle(self, *args, **options):
        if options["serve"]:
            self._serve(options["bank_port"], callbacks=not options["no_callbacks"])
            return
        if not options["town"]:
            raise CommandError("give --town (or --serve)")
        town = Municipality.objects.filter(slug=options["town"]).first()
        if town is None:
            raise CommandError(f"no town {options['town']}")
        if options["end_of_day"]:
            self._end_of_day(town, options["end_of_day"], options["date"])
            return
        with tenant_context(town):
            secret = PaymentSettings.current().bank_hmac_secret
            payload = options["payload"]
            if options["invoice"]:
                invoice = Invoice.objects.filter(number=options["invoice"]).first()
                if invoice is None or not invoice.qr_payload:
                    raise CommandError("no payable invoice with that number")
                payload = invoice.qr_payload
        if not payload:
            raise CommandError("give --payload or --invoice")
        try:
            parsed = promptpay.parse_payload(payload)
        except promptpay.PayloadError as exc:
            raise CommandError(str(exc)) from exc
        if not parsed.is_bill_payment:
            raise CommandError("this is a credit-transfer QR (tag 29): banks send no reference for it")
        amount = Decimal(options["amount"]) if options["amount"] else parsed.amount
        if amount is None:
            raise CommandError("a static QR has no amount: give --amount")
        body = json.dumps(
            {
                "transaction_id": options["transaction_id"] or f"SIM{uuid.uuid4().hex[:16].upper()}",
                "amount": f"{amount:.2f}",
                "paid_at": timezone.now().astimezone(BANGKOK).isoformat(timespec="seconds"),
                "biller_id": parsed.biller_id,
                "ref1": parsed.ref1,
                "ref2": parsed.ref2,
                "payer_name": "ผู้ทดสอบ ธนาคารจำลอง",
                "bank_code": "999",
            },
            ensure_ascii=False,
        ).encode("utf-8")
        for _attempt in range(options["times"]):
            timestamp = str(int(time.time()))
            headers = {
                "Content-Type": "application/json",
                banks.TIMESTAMP_HEADER: timestamp,
                banks.SIGNATURE_HEADER: banks.sign(secret, timestamp, body),
            }
            status, reply = (self._in_process if options["in_process"] else self._http)(
                town, options["base_url"], body, headers
            )
            self.stdout.write(f"{status} {reply}")

    def _serve(self, port: int, *, callbacks: bool) -> None:
        from services.payments.local_bank import LocalBank

        bank = LocalBank(callbacks_enabled=callbacks)
        server = bank.serve(port=port)
        self.stdout.write(
            f"local bank on http://127.0.0.1:{server.server_port} (SCB /scb, KBank /kbank, statements "
            f"/statements/<bank>/<biller>/<YYYYMMDD>.txt); callbacks {'on' if callbacks else 'off'}"
        )
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            server.shutdown()

    def _http(self, town, base_url, body, headers):
        request = urllib.request.Request(  # noqa: S310 (a developer-given URL)
            base_url.rstrip("/") + "/api/v1/payments/confirmations/",
            data=body,
            method="POST",
            headers={**headers, "Host": town.primary_host},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8")

    def _in_process(self, town, base_url, body, headers):
        from django.test import Client

        client = Client(HTTP_HOST=town.primary_host)
        extra = {
            "HTTP_" + key.upper().replace("-", "_"): value
            for key, value in headers.items()
            if key != "Content-Type"
        }
        response = client.post(
            "/api/v1/payments/confirmations/", data=body, content_type="application/json", **extra
        )
        return response.status_code, response.content.decode("utf-8")

    def _end_of_day(self, town, path: str, day_text: str | None) -> None:
        import datetime as dt
        from pathlib import Path

        from services.payments.models import BankTransaction
        from services.payments.statements import StatementLine, format_bot_file

        day = dt.date.fromisoformat(day_text) if day_text else timezone.localdate()
        start = dt.datetime.combine(day, dt.time.min, tzinfo=BANGKOK)
        with tenant_context(town):
            reports = BankTransaction.objects.filter(
                channel=BankTransaction.Channel.CALLBACK,
                paid_at__gte=start,
                paid_at__lt=start + dt.timedelta(days=1),
            ).order_by("paid_at", "pk")
            lines = [
                StatementLine(
                    line_no=0,
                    paid_at=r.paid_at,
                    amount=r.amount,
                    ref1=r.ref1,
                    ref2=r.ref2,
                    ref3=r.ref3,
                    biller_id=r.biller_id,
                    payer_name=r.payer_name,
                    bank_code=r.bank_code[:3],
                )
                for r in reports
            ]
        Path(path).write_bytes(format_bot_file(lines, company_name=town.name_en[:40], day=day))
        self.stdout.write(f"{len(lines)} payments of {day.isoformat()} written to {path}")
