"""Signals other services connect to (in their own apps.py), so payments never imports them.

`invoice_paid(sender=Invoice, invoice=..., source=..., source_id=...)` is sent INSIDE the database
transaction that marks the invoice fully paid, right after the status change is saved. A receiver's
writes therefore commit or roll back together with the payment; a receiver that raises makes the
whole payment roll back and be retried (the bank transaction stays recorded and is matched again by
the retry or the periodic sweep). Receivers should do their own writes only, and queue anything that
leaves the system through the outbox (sent after commit).
"""

from django.dispatch import Signal

invoice_paid = Signal()
