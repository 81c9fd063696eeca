"""Tag-29 PromptPay transfers (the town's PromptPay ID, no bill reference): matched by the payer's own
reference or a unique amount, else queued with the best candidates named."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from services.common.buddhist_era import BANGKOK
from services.payments import actions
from services.payments.banks import Confirmation
from services.payments.models import Payment, PaymentException, Receipt

from .conftest import make_invoice

pytestmark = pytest.mark.django_db
TOWN_PROMPTPAY = "0812345678"


@pytest.fixture
def town(in_town_a):
    in_town_a.promptpay_id = TOWN_PROMPTPAY
    in_town_a.save(update_fields=["promptpay_id"])
    return in_town_a


def transfer(amount: str, *, memo: str = "") -> None:
    actions.receive_bank_confirmation(
        confirmation=Confirmation(
            transaction_id=uuid.uuid4().hex,
            amount=Decimal(amount),
            paid_at=dt.datetime.now(BANGKOK),
            ref1="",
            ref3=memo,
            biller_id="0066812345678",  # the PromptPay ID as the bank writes it
        ),
        bank="generic",
    )


def test_a_transfer_of_an_amount_only_one_open_bill_has_pays_that_bill(town):
    make_invoice(amount="30.00")
    make_invoice(amount="30.00")
    unique = make_invoice(amount="187.25")
    transfer("187.25")
    assert Payment.objects.get().invoice == unique
    assert Receipt.objects.filter(invoice=unique).count() == 1


def test_the_payers_own_reference_picks_the_bill_among_equal_amounts(town):
    make_invoice(amount="30.00")
    mine = make_invoice(amount="30.00")
    transfer("30.00", memo=mine.number.lower())
    assert Payment.objects.get().invoice == mine


def test_an_ambiguous_transfer_is_queued_with_the_candidates_named(town):
    first = make_invoice(amount="30.00")
    second = make_invoice(amount="30.00")
    transfer("30.00")
    item = PaymentException.objects.get()
    assert item.kind == "unmatched"
    assert first.number in item.note and second.number in item.note
    assert Payment.objects.count() == 0


def test_a_transfer_matching_no_bill_is_queued_with_its_reason(town):
    make_invoice(amount="30.00")
    transfer("31.00")
    item = PaymentException.objects.get()
    assert "PromptPay transfer without a bill reference" in item.note
    assert Payment.objects.count() == 0
