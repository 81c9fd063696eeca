"""Finance figures: collected today/month, outstanding by fee and community, stuck bank reports, ledger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from services.payments import actions, selectors
from services.payments.models import BankTransaction, Payer
from tests.factories import make_user

from .conftest import make_invoice

pytestmark = pytest.mark.django_db


def test_summary_counts_collections_outstanding_and_stuck_reports(in_town_a):
    officer = make_user(roles=("finance_officer",))
    before = selectors.finance_summary(user=officer)
    payer = Payer.objects.create(code="C1", name="นางหนึ่ง", community="ชุมชนทดสอบสรุป")
    paid = make_invoice(amount="40.00")
    make_invoice(amount="25.00", payer=payer)
    receipt = actions.record_counter_payment(invoice_id=paid.pk, amount=Decimal("40.00"), by=officer)
    txn, _ = actions.record_bank_transaction(
        channel="callback",
        transaction_key="generic:STUCK",
        amount=Decimal("5.00"),
        paid_at=timezone.now(),
        ref1="X",
    )
    BankTransaction.objects.filter(pk=txn.pk).update(received_at=timezone.now() - dt.timedelta(minutes=10))
    summary = selectors.finance_summary(user=officer)
    assert summary["collected_today"] - before["collected_today"] == Decimal("40.00")
    assert summary["receipts_today"] - before["receipts_today"] == 1
    assert summary["stuck_transactions"] - before["stuck_transactions"] == 1
    community = next(row for row in summary["outstanding_by_community"] if row["community"] == "ชุมชนทดสอบสรุป")
    assert community["total"] == Decimal("25.00")
    actions.cancel_receipt(receipt_id=receipt.pk, by=officer, reason="ทดสอบ")
    assert selectors.finance_summary(user=officer)["collected_today"] == before["collected_today"]


def test_summary_and_ledger_need_finance_permissions(in_town_a):
    clerk = make_user(roles=("saraban_clerk",))
    with pytest.raises(PermissionDenied):
        selectors.finance_summary(user=clerk)
    with pytest.raises(PermissionDenied):
        selectors.payer_ledger(user=clerk, payer=Payer.objects.create(code="C2", name="ก"))


def test_ledger_runs_a_balance_over_bills_and_payments(in_town_a):
    officer = make_user(roles=("finance_officer",))
    payer = Payer.objects.create(code="C3", name="นายสาม")
    first = make_invoice(amount="30.00", payer=payer)
    make_invoice(amount="50.00", payer=payer)
    actions.record_counter_payment(invoice_id=first.pk, amount=Decimal("30.00"), by=officer)
    ledger = selectors.payer_ledger(user=officer, payer=payer)
    assert [entry["kind"] for entry in ledger] == ["invoice", "invoice", "payment"]
    assert ledger[-1]["balance"] == Decimal("50.00")
