"""Writes of Fee payment, by topic; the names other code may call are gathered here.

- invoices: raise_invoice (other services), cancel_invoice
- settlement: a bank's report kept, matched (`matching.decide`) and receipted; the sweep
- chase: asking the bank about bills no callback confirmed; fetching the day's statement file
- receipts, counter, exceptions_queue, statement_imports, registry (payers, fee catalogue),
  bank_access (callback secret, bank connections, QR shown)

Other services call `raise_invoice(...)` and connect to `signals.invoice_paid`; nothing else here is
their business. Every function runs in one transaction and locks what it changes. Inside the
package a module imports only those listed before it: invoices ← receipts ← counter,
exceptions_queue ← statement_imports ← settlement ← chase.
"""

from .bank_access import note_qr_shown, rotate_bank_secret, save_bank_connection
from .chase import chase_unconfirmed_bills, fetch_bank_statements
from .counter import record_counter_payment
from .exceptions_queue import resolve_exception
from .invoices import InvoiceConflict, InvoiceLineSpec, apply_payment, cancel_invoice, raise_invoice
from .receipts import cancel_receipt, issue_receipt
from .registry import save_fee_catalogue_entry, save_payer
from .settlement import (
    match_bank_transaction,
    receive_bank_confirmation,
    record_bank_transaction,
    settle_bank_transaction,
    settle_pending,
)
from .statement_imports import import_statement, process_statement_import, queue_statement_import

__all__ = [
    "InvoiceConflict",
    "InvoiceLineSpec",
    "apply_payment",
    "cancel_invoice",
    "cancel_receipt",
    "chase_unconfirmed_bills",
    "fetch_bank_statements",
    "import_statement",
    "issue_receipt",
    "match_bank_transaction",
    "note_qr_shown",
    "process_statement_import",
    "queue_statement_import",
    "raise_invoice",
    "receive_bank_confirmation",
    "record_bank_transaction",
    "record_counter_payment",
    "resolve_exception",
    "rotate_bank_secret",
    "save_bank_connection",
    "save_fee_catalogue_entry",
    "save_payer",
    "settle_bank_transaction",
    "settle_pending",
]
