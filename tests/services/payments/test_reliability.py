"""Money under stress, on committed data and real PostgreSQL: concurrent duplicate confirmations,
concurrent receipts, and a worker killed between matching and issuing the receipt."""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from services.common.buddhist_era import fiscal_year
from services.common.numbering import peek_last_number
from services.payments import actions, banks
from services.payments.actions.settlement import PAUSE_ENV
from services.payments.models import BankTransaction, Invoice, InvoiceLine, Payment, PaymentException, Receipt
from services.payments.official_numbers import RECEIPT_SERIES
from tenants.models import Municipality
from tests.waiting import wait_for

from .conftest import make_invoice


def cleanup(invoice_ids: list[int], keys: list[str]) -> None:
    Receipt.objects.filter(invoice_id__in=invoice_ids).delete()
    PaymentException.objects.filter(bank_transaction__transaction_key__in=keys).delete()
    Payment.objects.filter(invoice_id__in=invoice_ids).delete()
    BankTransaction.objects.filter(transaction_key__in=keys).delete()
    InvoiceLine.objects.filter(invoice_id__in=invoice_ids).delete()
    Invoice.objects.filter(pk__in=invoice_ids).delete()


def run_in_threads(town, count: int, work) -> list:
    results: list = [None] * count
    barrier = threading.Barrier(count)

    def target(index: int) -> None:
        try:
            with tenant_context(town):
                barrier.wait()
                results[index] = work(index)
        except Exception as exc:  # surfaced by the assertions below
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def confirmation(invoice, txn_id: str) -> banks.Confirmation:
    return banks.Confirmation(
        transaction_id=txn_id,
        amount=invoice.total,
        paid_at=dt.datetime.now(dt.UTC),
        ref1=invoice.ref1,
        ref2=invoice.ref2,
        biller_id="",
    )


def test_same_confirmation_delivered_concurrently_is_one_payment_one_receipt(
    django_db_setup, django_db_blocker
):
    with django_db_blocker.unblock():
        town = Municipality.objects.get(slug="alpha")
        with tenant_context(town):
            invoice = make_invoice(amount="80.00")
        txn_id = f"CONC{uuid.uuid4().hex[:10]}"
        try:
            results = run_in_threads(
                town,
                8,
                lambda i: (
                    actions.receive_bank_confirmation(
                        confirmation=confirmation(invoice, txn_id), bank="generic"
                    ).pk
                ),
            )
            assert all(isinstance(r, int) for r in results), results
            assert len(set(results)) == 1
            with tenant_context(town):
                assert Payment.objects.filter(invoice=invoice).count() == 1
                assert Receipt.objects.filter(invoice=invoice).count() == 1
                assert not PaymentException.objects.filter(invoice=invoice).exists()
                assert Invoice.objects.get(pk=invoice.pk).status == "paid"
        finally:
            with tenant_context(town):
                cleanup([invoice.pk], [f"generic:{txn_id}"])


def test_two_banks_paying_the_same_bill_at_once_apply_once_and_flag_the_other(
    django_db_setup, django_db_blocker
):
    with django_db_blocker.unblock():
        town = Municipality.objects.get(slug="alpha")
        with tenant_context(town):
            invoice = make_invoice(amount="80.00")
        ids = [f"TWO{uuid.uuid4().hex[:10]}" for _ in range(4)]
        try:
            run_in_threads(
                town,
                4,
                lambda i: (
                    actions.receive_bank_confirmation(
                        confirmation=confirmation(invoice, ids[i]), bank="generic"
                    ).outcome
                ),
            )
            with tenant_context(town):
                assert Payment.objects.filter(invoice=invoice).count() == 1
                assert Receipt.objects.filter(invoice=invoice).count() == 1
                assert PaymentException.objects.filter(invoice=invoice, kind="double").count() == 3
        finally:
            with tenant_context(town):
                cleanup([invoice.pk], [f"generic:{i}" for i in ids])


def test_concurrent_payments_of_different_bills_get_gapless_receipt_numbers(
    django_db_setup, django_db_blocker
):
    with django_db_blocker.unblock():
        town = Municipality.objects.get(slug="alpha")
        with tenant_context(town):
            invoices = [make_invoice(amount="10.00") for _ in range(10)]
            fiscal = fiscal_year(timezone.now())
            before = peek_last_number(RECEIPT_SERIES, fiscal)
        ids = [f"GAP{uuid.uuid4().hex[:10]}" for _ in invoices]
        try:
            run_in_threads(
                town,
                10,
                lambda i: (
                    actions.receive_bank_confirmation(
                        confirmation=confirmation(invoices[i], ids[i]), bank="generic"
                    ).pk
                ),
            )
            with tenant_context(town):
                sequences = sorted(
                    Receipt.objects.filter(invoice__in=invoices).values_list("sequence", flat=True)
                )
                assert sequences == list(range(before + 1, before + 11))
                assert peek_last_number(RECEIPT_SERIES, fiscal) == before + 10
        finally:
            with tenant_context(town):
                cleanup([i.pk for i in invoices], [f"generic:{i}" for i in ids])


@pytest.mark.worker
def test_worker_killed_between_matching_and_receipt_leaves_exactly_one_receipt_and_no_gap(
    live_worker, django_db_blocker
):
    from services.payments.tasks import settle_bank_transaction, settle_pending_transactions

    with django_db_blocker.unblock():
        town = Municipality.objects.get(slug="alpha")
        with tenant_context(town):
            invoice = make_invoice(amount="150.00")
            fiscal = fiscal_year(timezone.now())
            before = peek_last_number(RECEIPT_SERIES, fiscal)
            txn, _ = actions.record_bank_transaction(
                channel="callback",
                transaction_key=f"generic:KILL{uuid.uuid4().hex[:8]}",
                amount=Decimal("150.00"),
                paid_at=timezone.now(),
                ref1=invoice.ref1,
                ref2=invoice.ref2,
            )
        try:
            live_worker.env[PAUSE_ENV] = "60"
            live_worker.start()
            with tenant_context(town):
                settle_bank_transaction.delay(txn.pk)

                def matched() -> bool:
                    return Payment.objects.filter(invoice=invoice).exists()

                assert wait_for(matched), "the worker never matched the payment"
                time.sleep(0.5)
                live_worker.kill()
                assert Payment.objects.filter(invoice=invoice).count() == 1
                assert not Receipt.objects.filter(invoice=invoice).exists()
                assert peek_last_number(RECEIPT_SERIES, fiscal) == before

            live_worker.env.pop(PAUSE_ENV)
            live_worker.start()
            with tenant_context(town):
                settle_pending_transactions.delay(0)
                assert wait_for(lambda: Receipt.objects.filter(invoice=invoice).exists()), (
                    "no receipt after restart"
                )
                # A second retry of the same task changes nothing.
                settle_bank_transaction.delay(txn.pk)
                time.sleep(3)
                receipts = list(Receipt.objects.filter(invoice=invoice))
                assert len(receipts) == 1
                assert receipts[0].sequence == before + 1
                assert peek_last_number(RECEIPT_SERIES, fiscal) == before + 1
        finally:
            with tenant_context(town):
                cleanup([invoice.pk], [txn.transaction_key])
            connection.set_schema_to_public()


def test_a_statement_import_that_loses_a_deadlock_is_run_again_and_pays_once(django_db_setup, django_db_blocker):
    """Real concurrent transactions: another transaction holds bill B and then wants bill A while the
    import holds A and waits for B. PostgreSQL aborts the import (it waited first); the retry runs it
    again once the other commits — every line paid once, nothing lost."""
    from services.payments.actions import import_statement
    from services.payments.models import StatementImport
    from services.payments.statements import StatementLine, format_bot_file

    with django_db_blocker.unblock():
        town = Municipality.objects.get(slug="alpha")
        with tenant_context(town):
            first, second = make_invoice(amount="31.00"), make_invoice(amount="32.00")
            data = format_bot_file(
                [
                    StatementLine(line_no=0, paid_at=timezone.now(), amount=bill.total, ref1=bill.ref1,
                                  ref2=bill.ref2, biller_id=town.promptpay_biller_id)
                    for bill in (first, second)
                ]
            )
        holding = threading.Event()
        attempts = []

        def other_transaction() -> None:
            try:
                with tenant_context(town), transaction.atomic():
                    with connection.cursor() as cursor:
                        # Let the import be the one that detects the deadlock (it waits first).
                        cursor.execute("SET LOCAL deadlock_timeout = '10s'")
                    Invoice.objects.select_for_update().get(pk=second.pk)
                    holding.set()
                    time.sleep(0.5)  # the import now holds A and waits for B
                    Invoice.objects.select_for_update().get(pk=first.pk)
                    time.sleep(0.3)
            finally:
                connections.close_all()

        from services.payments import retrying

        original = retrying.is_retryable

        def counting(exc):
            attempts.append(type(exc.__cause__).__name__)
            return original(exc)

        retrying.is_retryable = counting
        thread = threading.Thread(target=other_transaction)
        thread.start()
        try:
            assert holding.wait(10)
            with tenant_context(town):
                statement = import_statement(data=data, file_name="deadlock.txt", statement_format="bot", by=None)
                assert attempts == ["DeadlockDetected"]
                assert statement.matched_count == 2
                assert Payment.objects.filter(invoice__in=[first, second]).count() == 2
                assert Receipt.objects.filter(invoice__in=[first, second]).count() == 2
        finally:
            retrying.is_retryable = original
            thread.join(30)
            with tenant_context(town):
                imports = StatementImport.objects.filter(file_name="deadlock.txt")
                keys = list(
                    BankTransaction.objects.filter(statement__in=imports).values_list("transaction_key", flat=True)
                )
                cleanup([first.pk, second.pk], keys)
                imports.delete()


def test_a_callback_that_loses_a_deadlock_is_matched_again_and_pays_once(django_db_setup, django_db_blocker):
    """Real concurrent transactions: matching a callback locks its bank row then the bill; another
    transaction holds the bill and then wants the bank row. PostgreSQL aborts the matching (it waited
    first); the retry matches it once the other commits — one payment, one receipt."""
    from services.payments import retrying

    with django_db_blocker.unblock():
        town = Municipality.objects.get(slug="alpha")
        with tenant_context(town):
            bill = make_invoice(amount="33.00")
            txn, _created = actions.record_bank_transaction(
                channel="callback", transaction_key=f"scb:DEADLOCK{uuid.uuid4().hex[:8]}", amount=bill.total,
                paid_at=timezone.now(), ref1=bill.ref1, ref2=bill.ref2,
            )
        holding = threading.Event()
        attempts = []

        def other_transaction() -> None:
            try:
                with tenant_context(town), transaction.atomic():
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL deadlock_timeout = '10s'")
                    Invoice.objects.select_for_update().get(pk=bill.pk)
                    holding.set()
                    time.sleep(0.5)  # matching now holds the bank row and waits for the bill
                    BankTransaction.objects.select_for_update().get(pk=txn.pk)
                    time.sleep(0.3)
            finally:
                connections.close_all()

        original = retrying.is_retryable

        def counting(exc):
            attempts.append(type(exc.__cause__).__name__)
            return original(exc)

        retrying.is_retryable = counting
        thread = threading.Thread(target=other_transaction)
        thread.start()
        try:
            assert holding.wait(10)
            with tenant_context(town):
                receipt = actions.settle_bank_transaction(transaction_id=txn.pk)
                assert attempts == ["DeadlockDetected"]
                assert receipt is not None
                assert Payment.objects.filter(invoice=bill).count() == 1
                assert Receipt.objects.filter(invoice=bill).count() == 1
        finally:
            retrying.is_retryable = original
            thread.join(30)
            with tenant_context(town):
                cleanup([bill.pk], [txn.transaction_key])
