"""raise_invoice(): the interface other services bill through, and the invoice_paid signal."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from services.payments import actions, promptpay
from services.payments.actions import InvoiceLineSpec, raise_invoice
from services.payments.actions import receipts as receipts_module
from services.payments.models import Invoice
from services.payments.official_numbers import RECEIPT_SERIES
from services.payments.signals import invoice_paid

from .conftest import make_invoice

pytestmark = pytest.mark.django_db


def test_invoice_has_number_refs_lines_and_a_qr_for_its_amount(in_town_a):
    invoice = raise_invoice(
        payer_name="นายสมชาย ใจดี",
        payer_phone="0812345678",
        source="building_permits",
        source_id="42",
        lines=[
            InvoiceLineSpec(
                "plan_check", "ค่าตรวจแบบแปลน", Decimal("120.5"), Decimal("0.50"), "กฎกระทรวง 7 (2528)"
            ),
            InvoiceLineSpec("building_permit", "ค่าใบอนุญาตก่อสร้าง", Decimal("1"), Decimal("20.00")),
        ],
    )
    assert invoice.total == Decimal("80.25")
    assert invoice.number.startswith("ALP25")
    assert invoice.ref1 == invoice.number
    assert [line.amount for line in invoice.lines.all()] == [Decimal("60.25"), Decimal("20.00")]
    parsed = promptpay.parse_payload(invoice.qr_payload)
    assert parsed.biller_id == in_town_a.promptpay_biller_id
    assert (parsed.ref1, parsed.ref2, parsed.amount) == (invoice.ref1, invoice.ref2, Decimal("80.25"))


def test_raising_twice_for_the_same_source_returns_the_same_invoice(in_town_a):
    first = make_invoice(source="food_premises", source_id="7")
    again = make_invoice(source="food_premises", source_id="7")
    assert again.pk == first.pk
    with pytest.raises(actions.InvoiceConflict):
        make_invoice(source="food_premises", source_id="7", amount="999.00")


def test_invoice_numbers_run_in_order(in_town_a):
    numbers = [make_invoice().number for _ in range(3)]
    sequences = [int(n[-6:]) for n in numbers]
    assert sequences == list(range(sequences[0], sequences[0] + 3))


@pytest.mark.parametrize(
    "lines",
    [
        [],
        [InvoiceLineSpec("garbage", "ค่าขยะ", Decimal("1"), 40.0)],
        [InvoiceLineSpec("garbage", "ค่าขยะ", Decimal("0"), Decimal("40"))],
        [InvoiceLineSpec("garbage", "ค่าขยะ", Decimal("1"), Decimal("-1"))],
    ],
)
def test_bad_lines_are_refused_without_writing_anything(in_town_a, lines):
    before = Invoice.objects.count()
    with pytest.raises(ValidationError):
        raise_invoice(payer_name="ก", lines=lines, source="x", source_id="1")
    assert Invoice.objects.count() == before


def test_invoice_paid_is_sent_once_when_fully_paid(in_town_a):
    received = []

    def receiver(sender, invoice, source, source_id, **kwargs):
        received.append((invoice.pk, source, source_id, invoice.status))

    invoice_paid.connect(receiver)
    try:
        invoice = make_invoice(source="building_permits", source_id="99")
        for key in ("bank-1", "bank-1"):
            txn, _ = actions.record_bank_transaction(
                channel="callback",
                transaction_key=key,
                amount=Decimal("150.00"),
                paid_at=invoice.created_at,
                ref1=invoice.ref1,
                ref2=invoice.ref2,
                biller_id=in_town_a.promptpay_biller_id,
            )
            actions.settle_bank_transaction(transaction_id=txn.pk)
    finally:
        invoice_paid.disconnect(receiver)
    assert received == [(invoice.pk, "building_permits", "99", "paid")]
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    assert invoice.receipts.count() == 1


def test_zero_total_is_paid_at_once(in_town_a):
    invoice = make_invoice(amount="0.00")
    assert invoice.status == "paid"
    assert invoice.qr_payload == ""


def test_invoice_of_one_town_is_invisible_from_another(in_town_a, client_a, client_b):
    invoice = make_invoice()
    from django.db import connection

    connection.set_schema_to_public()
    assert client_a.get(f"/payments/bill/{invoice.access_token}/").status_code == 200
    assert client_b.get(f"/payments/bill/{invoice.access_token}/").status_code == 404


def test_towns_without_a_biller_agreement_get_a_tag_29_qr(in_town_a):
    from services.payments.models import PaymentSettings

    row = PaymentSettings.current()
    row.qr_mode = PaymentSettings.QrMode.CREDIT_TRANSFER
    row.save()
    in_town_a.promptpay_id = "0994000158041"
    invoice = make_invoice(amount="45.50")
    parsed = promptpay.parse_payload(invoice.qr_payload)
    assert parsed.biller_id == ""
    assert parsed.promptpay_id == "0994000158041"
    assert parsed.amount == Decimal("45.50")


def test_receipt_numbers_restart_with_the_fiscal_year(in_town_a, monkeypatch):
    import datetime as dt

    from services.common.buddhist_era import BANGKOK
    from services.common.numbering import peek_last_number
    from tests.factories import make_user

    officer = make_user(roles=("finance_officer",))
    before = {year: peek_last_number(RECEIPT_SERIES, year) for year in (2569, 2570)}
    moments = iter(
        [dt.datetime(2026, 9, 30, 23, 0, tzinfo=BANGKOK), dt.datetime(2026, 10, 1, 8, 0, tzinfo=BANGKOK)]
    )
    receipts = []
    for _ in range(2):
        invoice = make_invoice(amount="10.00")
        moment = next(moments)
        monkeypatch.setattr(receipts_module.timezone, "now", lambda moment=moment: moment)
        receipts.append(
            actions.record_counter_payment(invoice_id=invoice.pk, amount=Decimal("10.00"), by=officer)
        )
    assert [r.fiscal_year for r in receipts] == [2569, 2570]
    assert [r.sequence for r in receipts] == [before[2569] + 1, before[2570] + 1]
