"""The bank confirmation endpoint: signature, replay window, idempotency, matching, exceptions."""

from __future__ import annotations

import datetime as dt
import json
import time
from decimal import Decimal

import pytest
from django.db import connection

from services.payments import banks
from services.payments.models import (
    BankTransaction,
    Invoice,
    Payment,
    PaymentException,
    PaymentSettings,
    Receipt,
)

from .conftest import make_invoice

pytestmark = pytest.mark.django_db
URL = "/api/v1/payments/confirmations/"


def body_for(invoice, *, amount=None, txn="TXN0001", ref1=None, **extra) -> bytes:
    return json.dumps(
        {
            "transaction_id": txn,
            "amount": amount or f"{invoice.outstanding:.2f}",
            "paid_at": "2026-11-25T10:15:00+07:00",
            "biller_id": "099400015804101",
            "ref1": ref1 or invoice.ref1,
            "ref2": invoice.ref2,
            "payer_name": "สมใจ",
            **extra,
        }
    ).encode()


def post(
    client, body: bytes, *, secret: str, timestamp: int | None = None, signature: str | None = None, path=URL
):
    ts = str(timestamp if timestamp is not None else int(time.time()))
    return client.post(
        path,
        data=body,
        content_type="application/json",
        HTTP_X_THONGTHIN_TIMESTAMP=ts,
        HTTP_X_THONGTHIN_SIGNATURE=signature or banks.sign(secret, ts, body),
    )


@pytest.fixture
def secret(in_town_a):
    return PaymentSettings.current().bank_hmac_secret


def test_a_signed_confirmation_pays_the_bill_and_issues_one_receipt(in_town_a, client_a, secret):
    invoice = make_invoice(amount="150.00")
    response = post(client_a, body_for(invoice), secret=secret)
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "matched"
    connection.set_tenant(in_town_a)
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    assert invoice.paid_amount == Decimal("150.00")
    receipt = Receipt.objects.get(invoice=invoice)
    assert receipt.amount == Decimal("150.00")


def test_the_same_confirmation_twice_is_one_payment(in_town_a, client_a, secret):
    invoice = make_invoice()
    body = body_for(invoice, txn="DUP1")
    assert post(client_a, body, secret=secret).status_code == 200
    assert post(client_a, body, secret=secret).status_code == 200
    connection.set_tenant(in_town_a)
    assert Payment.objects.filter(invoice=invoice).count() == 1
    assert Receipt.objects.filter(invoice=invoice).count() == 1
    assert not PaymentException.objects.filter(invoice=invoice).exists()


def test_a_wrong_signature_is_refused_and_nothing_is_recorded(in_town_a, client_a, secret):
    invoice = make_invoice()
    response = post(client_a, body_for(invoice), secret="not-the-secret")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
    connection.set_tenant(in_town_a)
    assert not BankTransaction.objects.filter(ref1=invoice.ref1).exists()


def test_an_old_timestamp_is_refused_as_a_replay(in_town_a, client_a, secret):
    invoice = make_invoice()
    response = post(client_a, body_for(invoice), secret=secret, timestamp=int(time.time()) - 3600)
    assert response.status_code == 401


def test_another_towns_secret_does_not_work_here(in_town_a, town_b, client_a):
    connection.set_tenant(town_b)
    secret_b = PaymentSettings.current().bank_hmac_secret
    connection.set_tenant(in_town_a)
    invoice = make_invoice()
    assert post(client_a, body_for(invoice), secret=secret_b).status_code == 401


def test_a_confirmation_sent_to_another_town_does_not_pay_this_towns_bill(in_town_a, town_b, client_b):
    invoice = make_invoice()
    connection.set_tenant(town_b)
    secret_b = PaymentSettings.current().bank_hmac_secret
    response = post(client_b, body_for(invoice, txn="CROSS1"), secret=secret_b)
    assert response.status_code == 200
    connection.set_tenant(town_b)
    assert PaymentException.objects.get(bank_transaction__transaction_key="generic:CROSS1").kind in (
        "unmatched",
        "wrong_biller",
    )
    connection.set_tenant(in_town_a)
    invoice.refresh_from_db()
    assert invoice.status == "open"


@pytest.mark.parametrize(("amount", "kind"), [("100.00", "partial"), ("200.00", "overpaid")])
def test_partial_and_over_payments_go_to_the_exceptions_queue(in_town_a, client_a, secret, amount, kind):
    invoice = make_invoice(amount="150.00")
    assert post(client_a, body_for(invoice, amount=amount, txn=f"X{kind}"), secret=secret).status_code == 200
    connection.set_tenant(in_town_a)
    invoice.refresh_from_db()
    assert invoice.status == "open"
    assert invoice.paid_amount == 0
    assert PaymentException.objects.get(invoice=invoice).kind == kind


def test_a_second_payment_of_a_paid_bill_is_a_double_payment_exception(in_town_a, client_a, secret):
    invoice = make_invoice()
    post(client_a, body_for(invoice, txn="FIRST"), secret=secret)
    connection.set_tenant(in_town_a)
    post(client_a, body_for(invoice, txn="SECOND", amount="150.00"), secret=secret)
    connection.set_tenant(in_town_a)
    assert PaymentException.objects.get(bank_transaction__transaction_key="generic:SECOND").kind == "double"
    assert Receipt.objects.filter(invoice=invoice).count() == 1


def test_unknown_ref1_is_kept_as_unmatched(in_town_a, client_a, secret):
    invoice = make_invoice()
    post(client_a, body_for(invoice, ref1="NOSUCHBILL1", txn="UNM"), secret=secret)
    connection.set_tenant(in_town_a)
    assert PaymentException.objects.get(bank_transaction__ref1="NOSUCHBILL1").kind == "unmatched"


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"transaction_id": "A", "amount": "1.001", "ref1": "X"}',
        b'{"transaction_id": "A", "amount": "abc", "ref1": "X", "paid_at": "2026-01-01"}',
        b'{"amount": "1.00", "ref1": "X", "paid_at": "2026-01-01"}',
    ],
)
def test_bad_bodies_get_400_with_a_bilingual_error(in_town_a, client_a, secret, body):
    response = post(client_a, body, secret=secret)
    assert response.status_code == 400
    assert response.json()["error"]["message_th"]


def test_scb_adapter_reads_scb_fields_and_replies_in_its_format(in_town_a, client_a, secret):
    invoice = make_invoice()
    body = json.dumps(
        {
            "transactionId": "SCB123",
            "amount": "150.00",
            "transactionDateandTime": "2026-11-25T10:15:00",
            "billPaymentRef1": invoice.ref1,
            "billPaymentRef2": invoice.ref2,
            "payerName": "A",
            "sendingBankCode": "014",
        }
    ).encode()
    response = post(client_a, body, secret=secret, path=URL + "scb/")
    assert response.status_code == 200
    assert response.json()["resCode"] == "00"
    connection.set_tenant(in_town_a)
    invoice.refresh_from_db()
    assert invoice.status == "paid"


def test_simulator_pays_a_qr_payload(in_town_a):
    from io import StringIO

    from django.core.management import call_command

    invoice = make_invoice(amount="40.00")
    out = StringIO()
    connection.set_schema_to_public()
    call_command(
        "bank_simulator", town="alpha", payload=invoice.qr_payload, in_process=True, times=2, stdout=out
    )
    assert out.getvalue().count("200 ") == 2
    connection.set_tenant(in_town_a)
    invoice = Invoice.objects.get(pk=invoice.pk)
    assert invoice.status == "paid"
    assert invoice.receipts.count() == 1


def test_simulated_end_of_day_file_confirms_the_days_callbacks(in_town_a, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    from services.common.buddhist_era import BANGKOK
    from services.payments.actions import import_statement
    from tests.factories import make_user

    invoice = make_invoice(amount="40.00")
    connection.set_schema_to_public()
    call_command(
        "bank_simulator", town="alpha", payload=invoice.qr_payload, in_process=True, stdout=StringIO()
    )
    path = tmp_path / "eod.txt"
    today = dt.datetime.now(BANGKOK).date().isoformat()
    call_command("bank_simulator", town="alpha", end_of_day=str(path), date=today, stdout=StringIO())
    connection.set_tenant(in_town_a)
    statement = import_statement(
        data=path.read_bytes(),
        file_name="eod.txt",
        statement_format="bot",
        by=make_user(roles=("finance_officer",)),
    )
    assert statement.confirmed_count >= 1
    assert statement.matched_count == 0
    assert Payment.objects.filter(invoice=invoice).count() == 1
