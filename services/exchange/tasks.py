"""Thin Celery wrappers around exchange actions. acks_late + a periodic sweep: a message is
delivered even if the broker loses the task or the worker dies, and delivered once."""

from __future__ import annotations

from celery import shared_task

from . import actions


@shared_task(
    name="services.exchange.tasks.deliver_message",
    bind=True,
    acks_late=True,
    max_retries=actions.MAX_ATTEMPTS,
)
def deliver_message(self, message_id: int) -> str:
    """Deliver one exchange message into the recipient's schema (or to an outside agency)."""
    try:
        return str(actions.deliver(message_id))
    except actions.DeliveryPostponed as exc:
        raise self.retry(exc=exc, countdown=min(30 * 2**self.request.retries, 3600)) from exc


@shared_task(name="services.exchange.tasks.sweep_exchange")
def sweep_exchange() -> int:
    """Send again every queued message whose delivery is overdue."""
    due = actions.due_message_ids()
    for message_id in due:
        deliver_message.delay(message_id)
    return len(due)
