"""Queue a Celery task by name once the transaction commits: the one way an action starts a task.

Actions never import their app's `tasks` module (tasks import actions: one direction, no import
circle); they name the task instead. The tenant-aware Celery app adds the schema header, so the
task runs in the schema of the town that queued it.
"""

from __future__ import annotations

import importlib

from celery import current_app
from django.db import transaction


def run_after_commit(task_name: str, *args) -> None:
    """Send `task_name(*args)` after the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: send(task_name, *args))


def send(task_name: str, *args) -> None:
    """Send `task_name(*args)` now."""
    if current_app.conf.task_always_eager:
        # send_task ignores eager mode; run the registered task in-process like .delay() would.
        importlib.import_module(task_name.rsplit(".", 1)[0])
        current_app.tasks[task_name].apply(args=args)
        return
    current_app.send_task(task_name, args=args)
