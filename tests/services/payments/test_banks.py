"""Both banks' adapters against the local bank on loopback: their OAuth, inquiry and statement HTTP
code for real, their callbacks in their own shape, and the chase job that finds what callbacks lost."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from services.payments import actions
from services.payments.local_bank import LOCAL_KEY, LOCAL_SECRET, LocalBank
from services.payments.models import (
    BankConnection,
    BankTransaction,
    ChaseRun,
    Invoice,
    Payment,
    PaymentException,
    Receipt,
    StatementImport,
)

from .conftest import make_invoice

pytestmark = pytest.mark.django_db
NATIVE = "/api/v1/payments/confirmations/{bank}/{token}/"


@pytest.fixture
def bank():
    local = LocalBank(callbacks_enabled=False, timeout_seconds=3)
    server = local.serve()
    local.base = f"http://127.0.0.1:{server.server_port}"
    cache.clear()  # no token of an earlier test's bank
    yield local
    server.shutdown()


def connect(local: LocalBank, code: str, **fields) -> BankConnection:
    return BankConnection.objects.create(
        bank=code,
        api_base_url=f"{local.base}/{code}",
        api_key=LOCAL_KEY,
        api_secret=LOCAL_SECRET,
        partner_id="LOCAL01",
        partner_secret="partner-secret",
        merchant_id="KB000000000001",
        statement_url=f"{local.base}/statements/{code}/{{biller}}/{{date}}.txt",
        **fields,
    )


def deliver_to(client):
    """The local bank's callbacks reach the app through the test client (same bytes, same headers)."""

    def deliver(url, body, headers):
        path = "/" + url.split("/", 3)[3]
        extra = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items() if k not in ("Content-Type", "Host")}
        response = client.post(path, data=body, content_type="application/json", **extra)
        connection.set_schema_to_public()
        return response.status_code, response.content.decode()

    return deliver


def counts(invoice):
    return (
        Payment.objects.filter(invoice=invoice).count(),
        Receipt.objects.filter(invoice=invoice).count(),
        PaymentException.objects.filter(bank_transaction__ref1=invoice.ref1).count(),
    )


@pytest.mark.parametrize("code", ["scb", "kbank"])
def test_a_bill_paid_with_callbacks_off_is_found_by_one_chase_run_and_receipted_once(
    bank, in_town_a, client_a, code
):
    conn = connect(bank, code)
    bill = make_invoice(amount="150.00")
    paid = bank.pay(bill.qr_payload, bank=code)
    assert bank.callback_log == []  # callbacks are off: the town heard nothing

    run = actions.chase_unconfirmed_bills()

    assert (run.asked, run.found, run.errors) == (1, 1, 0)
    bill.refresh_from_db()
    assert bill.status == "paid"
    payment = Payment.objects.get(invoice=bill)
    assert payment.channel == BankTransaction.Channel.INQUIRY
    assert counts(bill) == (1, 1, 0)

    # The lost callback turns up after all, in the bank's own shape: nothing changes.
    connection.set_schema_to_public()
    bank.deliver = deliver_to(client_a)
    status, reply = bank.call_back(paid, url=f"http://x{NATIVE.format(bank=code, token=conn.callback_token)}")
    assert status == 200
    if code == "scb":
        assert json.loads(reply) == {"resCode": "00", "resDesc": "success", "transactionId": paid.transaction_id}
    else:
        assert json.loads(reply) == {"statusCode": "00", "errorCode": None, "errorDesc": None}
    connection.set_tenant(in_town_a)
    assert counts(bill) == (1, 1, 0)

    # And so does the day's statement file from the bank: it confirms, it does not pay again.
    imports = actions.fetch_bank_statements(day=paid.paid_at.date())
    assert [(i.status, i.line_count, i.confirmed_count, i.matched_count) for i in imports] == [("done", 1, 1, 0)]
    assert counts(bill) == (1, 1, 0)
    assert Payment.objects.get(invoice=bill).confirmed_by is not None
    # A second fetch of the same day is not even asked for.
    assert actions.fetch_bank_statements(day=paid.paid_at.date()) == []


def test_the_same_payment_by_callback_first_then_inquiry_and_statement_is_one_payment(bank, in_town_a, client_a):
    conn = connect(bank, "scb")
    bill = make_invoice(amount="80.00")
    connection.set_schema_to_public()
    bank.callbacks_enabled = True
    bank.deliver = deliver_to(client_a)
    paid = bank.pay(bill.qr_payload, bank="scb", callback_url=f"http://x{NATIVE.format(bank='scb', token=conn.callback_token)}")
    assert bank.callback_log[-1][0] == 200
    connection.set_tenant(in_town_a)
    # The bill has a bank report now, so the chase job leaves it alone.
    run = actions.chase_unconfirmed_bills()
    assert run.asked == 0
    actions.fetch_bank_statements(day=paid.paid_at.date())
    assert counts(bill) == (1, 1, 0)
    assert Payment.objects.get(invoice=bill).channel == "callback"


def test_unpaid_bills_are_asked_again_later_with_backoff_and_not_after_due_date_plus_n_days(bank, in_town_a):
    connect(bank, "scb", chase_days_after_due=7)
    waiting = make_invoice(amount="40.00")
    old = make_invoice(amount="41.00", due_date=dt.date.today() - dt.timedelta(days=8))
    silent = make_invoice(amount="42.00", payer_phone="")  # never sent, never shown
    now = dt.datetime.now(dt.UTC)

    first = actions.chase_unconfirmed_bills(now=now)
    assert (first.asked, first.found) == (1, 0)
    waiting.refresh_from_db()
    assert waiting.inquiry_count == 1
    assert waiting.next_inquiry_at == now + dt.timedelta(minutes=15)
    # Fifteen minutes later it is asked again, then after 30 minutes, then an hour …
    assert actions.chase_unconfirmed_bills(now=now + dt.timedelta(minutes=5)).asked == 0
    assert actions.chase_unconfirmed_bills(now=now + dt.timedelta(minutes=16)).asked == 1
    waiting.refresh_from_db()
    assert waiting.next_inquiry_at == now + dt.timedelta(minutes=16) + dt.timedelta(minutes=30)
    old.refresh_from_db()
    silent.refresh_from_db()
    assert old.inquiry_count == 0 and silent.inquiry_count == 0

    # A QR shown on the portal makes the silent bill worth asking about.
    connection.set_schema_to_public()
    assert Client(HTTP_HOST="alpha.localhost").get(f"/payments/bill/{silent.access_token}/").status_code == 200
    connection.set_tenant(in_town_a)
    silent.refresh_from_db()
    assert silent.qr_shown_at is not None
    assert actions.chase_unconfirmed_bills(now=now + dt.timedelta(minutes=17)).asked == 1


@pytest.mark.parametrize("mode", ["timeout", "nonsense", "down"])
def test_an_inquiry_api_that_times_out_or_answers_nonsense_writes_nothing_and_backs_off(bank, in_town_a, mode, monkeypatch):
    from services.payments.banks import inquiry

    monkeypatch.setattr(inquiry, "TIMEOUT_SECONDS", 0.5)
    connect(bank, "scb")
    bills = [make_invoice(amount=f"{60 + i}.00") for i in range(5)]
    bank.pay(bills[0].qr_payload, bank="scb")
    bank.mode = mode

    run = actions.chase_unconfirmed_bills()

    # Three failures in a row: the bank is left alone for the rest of the run.
    assert (run.asked, run.found, run.errors) == (0, 0, 3)
    assert "stopped for this run" in run.note
    assert BankTransaction.objects.count() == 0
    assert Invoice.objects.filter(pk__in=[b.pk for b in bills], next_inquiry_at__isnull=False).count() == 3

    bank.mode = "normal"
    later = actions.chase_unconfirmed_bills(now=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
    assert later.found == 1
    assert counts(bills[0]) == (1, 1, 0)


def test_wrong_bank_credentials_are_an_error_not_a_payment(bank, in_town_a):
    conn = connect(bank, "kbank")
    conn.api_secret = "wrong"
    conn.save()
    bill = make_invoice(amount="70.00")
    bank.pay(bill.qr_payload, bank="kbank")
    run = actions.chase_unconfirmed_bills()
    assert (run.found, run.errors) == (0, 1)
    assert "auth_failed" in run.note
    assert Payment.objects.count() == 0


def test_a_statement_with_a_bad_trailer_is_kept_as_failed_and_applies_nothing(bank, in_town_a, monkeypatch):
    connect(bank, "scb")
    bill = make_invoice(amount="90.00")
    paid = bank.pay(bill.qr_payload, bank="scb")
    good = bank.statement(bank="scb", biller_id=paid.biller_id, day=paid.paid_at.date())
    lines = good.decode("tis_620").split("\r\n")
    lines[-2] = lines[-2][:52] + "000009" + lines[-2][58:]  # a trailer that counts 9 credits
    monkeypatch.setattr(bank, "statement", lambda **kwargs: "\r\n".join(lines).encode("tis_620"))

    [failed] = actions.fetch_bank_statements(day=paid.paid_at.date())

    assert failed.status == StatementImport.Status.FAILED
    assert "trailer" in failed.error
    assert counts(bill) == (0, 0, 0)


def test_a_refund_before_the_payment_queues_one_exception_and_pays_nothing(bank, in_town_a):
    connect(bank, "scb")
    bill = make_invoice(amount="55.00")
    paid = bank.pay(bill.qr_payload, bank="scb")
    bank.refund(paid.transaction_id)

    actions.chase_unconfirmed_bills()  # the inquiry says: refunded (reverseFlag R)

    assert counts(bill) == (0, 0, 1)
    assert PaymentException.objects.get().kind == PaymentException.Kind.REVERSED
    # The "paid" confirmation arrives late, out of order: still nothing paid.
    bank.payments[0].reversed = False
    from services.payments.banks.callbacks import ScbAdapter

    actions.receive_bank_confirmation(confirmation=ScbAdapter().parse(bank.callback_body(paid)), bank="scb")
    assert counts(bill) == (0, 0, 1)


def test_a_refund_after_the_payment_keeps_the_receipt_and_asks_a_person(bank, in_town_a):
    from services.payments.banks.callbacks import ScbAdapter

    bill = make_invoice(amount="56.00")
    connect(bank, "scb")
    paid = bank.pay(bill.qr_payload, bank="scb")
    body = bank.callback_body(paid)
    actions.receive_bank_confirmation(confirmation=ScbAdapter().parse(body), bank="scb")
    bank.refund(paid.transaction_id)
    reversed_ = ScbAdapter().parse(body)
    actions.receive_bank_confirmation(confirmation=type(reversed_)(**{**reversed_.__dict__, "reversed": True}), bank="scb")
    actions.receive_bank_confirmation(confirmation=type(reversed_)(**{**reversed_.__dict__, "reversed": True}), bank="scb")
    assert counts(bill) == (1, 1, 1)
    assert PaymentException.objects.get().kind == "reversed"


def test_a_town_admin_sets_up_scb_and_the_finance_page_shows_what_the_chase_recovered(bank, in_town_a, client_a):
    from tests.factories import make_user

    admin = make_user(roles=("town_admin",))
    client_a.force_login(admin)
    connection.set_schema_to_public()
    response = client_a.post(
        "/payments/staff/settings/",
        {
            "bank": "scb",
            "scb-is_active": "on",
            "scb-api_base_url": f"{bank.base}/scb",
            "scb-api_key": LOCAL_KEY,
            "scb-api_secret": LOCAL_SECRET,
            "scb-inquiry_enabled": "on",
            "scb-inquiries_per_run": "30",
            "scb-chase_days_after_due": "7",
        },
    )
    assert response.status_code == 302
    connection.set_tenant(in_town_a)
    conn = BankConnection.objects.get(bank="scb")
    with connection.cursor() as cursor:
        cursor.execute("SELECT api_secret FROM payments_bankconnection WHERE id = %s", [conn.pk])
        assert LOCAL_SECRET not in cursor.fetchone()[0]  # sealed at rest
    assert conn.api_secret == LOCAL_SECRET

    bill = make_invoice(amount="123.00")
    bank.pay(bill.qr_payload, bank="scb")
    actions.chase_unconfirmed_bills()

    connection.set_schema_to_public()
    page = client_a.get("/payments/staff/settings/").content.decode()
    assert f"/api/v1/payments/confirmations/scb/{conn.callback_token}/" in page
    assert LOCAL_SECRET not in page
    dashboard = client_a.get("/payments/staff/").content.decode()
    assert "พบจากการสอบถามธนาคาร" in dashboard
    assert "123.00" in dashboard
    assert "ถาม 1 · พบ 1 · ผิดพลาด 0" in dashboard
    connection.set_tenant(in_town_a)
    assert ChaseRun.objects.count() == 1


def test_a_refund_reported_while_the_payment_waits_to_be_matched_is_queued_not_paid(in_town_a, monkeypatch):
    from services.payments.actions import settlement
    from services.payments.banks.callbacks import ScbAdapter
    from services.payments.local_bank import Paid

    bill = make_invoice(amount="57.00")
    paid = Paid("scb", "TXWAIT01", "099400015804101", bill.ref1, bill.ref2, bill.total,
                dt.datetime.now(dt.UTC).replace(microsecond=0), "สมชาย")
    confirmation = ScbAdapter().parse(LocalBank().callback_body(paid))
    # The matching step fails the first time (a crash): the row stays pending for the sweep.
    real_settle = settlement.settle_bank_transaction
    monkeypatch.setattr(settlement, "settle_bank_transaction", lambda **kwargs: (_ for _ in ()).throw(RuntimeError))
    monkeypatch.setattr(settlement, "run_after_commit", lambda *args: None)
    actions.receive_bank_confirmation(confirmation=confirmation, bank="scb")
    monkeypatch.setattr(settlement, "settle_bank_transaction", real_settle)
    assert BankTransaction.objects.get().outcome == "pending"

    actions.receive_bank_confirmation(confirmation=type(confirmation)(**{**confirmation.__dict__, "reversed": True}), bank="scb")
    actions.settle_pending()

    assert counts(bill) == (0, 0, 1)
    assert PaymentException.objects.get().kind == "reversed"
