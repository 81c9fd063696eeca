"""Thin Celery wrappers around payments actions; each runs in the schema it was sent from.

Tasks import actions and billing, never the reverse: an action that queues a task names it
(`services.common.queueing.run_after_commit` with a name from `dispatch`).
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from . import actions, billing


@shared_task(name="services.payments.tasks.settle_bank_transaction", acks_late=True)
def settle_bank_transaction(transaction_id: int) -> str:
    receipt = actions.settle_bank_transaction(transaction_id=transaction_id)
    return receipt.display_number if receipt else ""


@shared_task(name="services.payments.tasks.settle_pending_transactions", acks_late=True)
def settle_pending_transactions(older_than_seconds: int = 30) -> int:
    """The sweep: bank transactions left pending and payments left without a receipt by a crash.

    Waits `older_than_seconds` before touching a pending transaction so it does not race the request
    that is settling it right now (that race would be harmless: both lock the same row).
    """
    return actions.settle_pending(older_than=dt.timedelta(seconds=older_than_seconds))


@shared_task(name="services.payments.tasks.run_due_bill_run", acks_late=True)
def run_due_bill_run() -> str:
    run = billing.run_due_bill_run()
    return str(run) if run else ""


@shared_task(name="services.payments.tasks.import_statement_file", acks_late=True)
def import_statement_file(statement_id: int) -> str:
    return actions.process_statement_import(statement_id=statement_id).status


@shared_task(name="services.payments.tasks.chase_unconfirmed_bills", acks_late=True)
def chase_unconfirmed_bills() -> str:
    run = actions.chase_unconfirmed_bills()
    return f"asked {run.asked}, found {run.found}, errors {run.errors}" if run else "no bank connection"


@shared_task(name="services.payments.tasks.fetch_bank_statements", acks_late=True)
def fetch_bank_statements() -> int:
    return len(actions.fetch_bank_statements())
