"""Thin Celery wrappers; each runs in the schema of the town that sent it."""

from celery import shared_task

from . import outbox


@shared_task(name="services.common.tasks.deliver_outbox_message", acks_late=True)
def deliver_outbox_message(message_id: int) -> str:
    return outbox.deliver(message_id)


@shared_task(name="services.common.tasks.sweep_outbox")
def sweep_outbox() -> int:
    outbox.expire_stale()
    ids = outbox.due_message_ids()
    for message_id in ids:
        deliver_outbox_message.delay(message_id)
    return len(ids)


@shared_task(name="services.common.tasks.sign_pending_documents")
def sign_pending_documents() -> int:
    """Sign the town's official PDFs that were issued while signing was unavailable."""
    from .signing import sign_pending_documents as sign_pending

    return sign_pending()
