"""The chase job: bills whose QR was shown or sent and that no bank has confirmed are asked of the
bank's inquiry API; a payment found goes through the same pipeline as a callback, marked as found by
inquiry. And the daily statement file, fetched from each bank that offers one and reconciled.

Callbacks get lost (a deploy, a proxy timeout, SCB's three retries in 36 seconds); a citizen who paid
must never be chased for arrears because of it.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.db.models import F, Q
from django.utils import timezone

from services.common.buddhist_era import BANGKOK
from tenants.current import current_town

from ..banks.inquiry import InquiryError, client_for
from ..models import BankConnection, BankTransaction, ChaseRun, Invoice, StatementImport
from ..statements import StatementError
from ..workflow import InvoiceStatus
from .settlement import receive_bank_confirmation
from .statement_imports import import_statement, record_failed_statement

logger = logging.getLogger(__name__)

FIRST_WAIT = dt.timedelta(minutes=15)
LONGEST_WAIT = dt.timedelta(hours=12)
# Spacing between two calls to one bank (SCB's sandbox allows 5 per second per API).
CALL_SPACING_SECONDS = 0.25
# After this many failures in a row the bank is taken to be down for the rest of the run.
GIVE_UP_AFTER_ERRORS = 3
# A bill never asked before is looked up this many days back (SCB asks by payment day).
FIRST_LOOKBACK_DAYS = 6


def bills_to_chase(*, connection: BankConnection, now: dt.datetime):
    """Open bills with a QR, shown on the portal or sent by SMS/e-mail, with no report from any bank,
    not past due date + N days, whose next inquiry is due — oldest wait first."""
    today = now.astimezone(BANGKOK).date()
    reported = BankTransaction.objects.exclude(ref1="").values("ref1")
    return (
        Invoice.objects.filter(status=InvoiceStatus.OPEN, paid_amount=0)
        .exclude(qr_payload="")
        .filter(Q(qr_shown_at__isnull=False) | ~Q(payer_phone="") | ~Q(payer_email=""))
        .filter(due_date__gte=today - dt.timedelta(days=connection.chase_days_after_due))
        .filter(Q(next_inquiry_at__isnull=True) | Q(next_inquiry_at__lte=now))
        .exclude(ref1__in=reported)
        # Never asked first, then the longest overdue question.
        .order_by(F("next_inquiry_at").asc(nulls_first=True), "pk")
    )


def _days_to_ask(bill: Invoice, now: dt.datetime) -> list[dt.date]:
    today = now.astimezone(BANGKOK).date()
    back = FIRST_LOOKBACK_DAYS if bill.inquiry_count == 0 else 1
    start = max(bill.issue_date, today - dt.timedelta(days=back))
    return [start + dt.timedelta(days=offset) for offset in range((today - start).days + 1)]


def _back_off(bill: Invoice, now: dt.datetime) -> None:
    """Ask again later: 15 minutes, then twice as long each time, at most 12 hours."""
    wait = min(FIRST_WAIT * (2 ** min(bill.inquiry_count, 10)), LONGEST_WAIT)
    Invoice.objects.filter(pk=bill.pk).update(inquiry_count=bill.inquiry_count + 1, next_inquiry_at=now + wait)


def chase_unconfirmed_bills(*, now: dt.datetime | None = None, session=None) -> ChaseRun | None:
    """One run of the chase job in this town (beat: every 15 minutes, one task per town).

    At most `inquiries_per_run` questions per bank per run; a bank that fails three times in a row
    is left alone until the next run. Returns the run's record, or None when no bank is set up.
    """
    now = now or timezone.now()
    connections = list(BankConnection.objects.filter(is_active=True, inquiry_enabled=True))
    if not connections:
        return None
    town = current_town()
    biller_id = getattr(town, "promptpay_biller_id", "")
    run = ChaseRun.objects.create()
    notes = []
    for connection in connections:
        try:
            client = client_for(connection, session=session)
        except InquiryError as exc:
            run.errors += 1
            notes.append(f"{connection.bank}: {exc}")
            continue
        failures_in_a_row = 0
        for bill in bills_to_chase(connection=connection, now=now)[: connection.inquiries_per_run]:
            if run.asked + run.errors:
                time.sleep(CALL_SPACING_SECONDS)
            try:
                found = client.find_payments(
                    biller_id=biller_id, ref1=bill.ref1, ref2=bill.ref2, dates=_days_to_ask(bill, now)
                )
            except InquiryError as exc:
                logger.warning("inquiry of %s at %s failed: %s", bill.number, connection.bank, exc)
                run.errors += 1
                failures_in_a_row += 1
                notes.append(f"{connection.bank} {bill.number}: {exc.reason}")
                _back_off(bill, now)
                if failures_in_a_row >= GIVE_UP_AFTER_ERRORS:
                    notes.append(f"{connection.bank}: หยุดสอบถามรอบนี้ (stopped for this run)")
                    break
                continue
            failures_in_a_row = 0
            run.asked += 1
            if not found:
                _back_off(bill, now)
                continue
            for confirmation in found:
                receive_bank_confirmation(
                    confirmation=confirmation, bank=connection.bank, channel=BankTransaction.Channel.INQUIRY
                )
                run.found += 1
    run.note = "\n".join(notes)[:4000]
    run.save(update_fields=["asked", "found", "errors", "note"])
    return run


def fetch_bank_statements(*, day: dt.date | None = None, session=None) -> list[StatementImport]:
    """Fetch and reconcile `day`'s statement file (default yesterday, Bangkok) from each bank that
    offers one; a file already taken in is not fetched again, one that does not add up is kept as a
    failed import with its reasons (nothing of it applied)."""
    day = day or timezone.localdate() - dt.timedelta(days=1)
    town = current_town()
    imports = []
    for connection in BankConnection.objects.filter(is_active=True).exclude(statement_url=""):
        file_name = f"{connection.bank}-{day:%Y%m%d}.txt"
        if StatementImport.objects.filter(file_name=file_name).exclude(status=StatementImport.Status.FAILED).exists():
            continue
        try:
            data = client_for(connection, session=session).statement_file(
                url_template=connection.statement_url, day=day, biller_id=getattr(town, "promptpay_biller_id", "")
            )
        except InquiryError as exc:
            logger.warning("statement of %s from %s not fetched: %s", day, connection.bank, exc)
            continue
        try:
            imports.append(import_statement(data=data, file_name=file_name, statement_format="bot", by=None))
        except StatementError as exc:
            imports.append(record_failed_statement(data=data, file_name=file_name, error=exc))
    return imports
