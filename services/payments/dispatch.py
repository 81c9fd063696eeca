"""Queue a payments Celery task by name once the transaction commits.

Actions never import `tasks` (tasks import actions: one direction); they name the task instead.
The tenant-aware Celery app adds the schema header, so the task runs in this town's schema.
"""

from __future__ import annotations

import importlib

from celery import current_app
from django.db import transaction

SETTLE_BANK_TRANSACTION = "services.payments.tasks.settle_bank_transaction"
IMPORT_STATEMENT_FILE = "services.payments.tasks.import_statement_file"


def run_after_commit(task_name: str, *args) -> None:
    """Send `task_name(*args)` after the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: _send(task_name, args))


def _send(task_name: str, args: tuple) -> None:
    if current_app.conf.task_always_eager:
        # send_task ignores eager mode; run the registered task in-process like .delay() would.
        importlib.import_module(task_name.rsplit(".", 1)[0])
        current_app.tasks[task_name].apply(args=args)
        return
    current_app.send_task(task_name, args=args)
