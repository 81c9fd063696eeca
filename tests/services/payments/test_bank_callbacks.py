"""Each bank's own callback at the URL the town registered with it: authenticated the way that bank
can be, answered in its format — and no body, however bad, gets a 500 or writes half a row."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from services.payments.local_bank import LocalBank
from services.payments.models import BankConnection, BankTransaction, Payment, PaymentException, Receipt

from .conftest import make_invoice

pytestmark = pytest.mark.django_db
NATIVE = "/api/v1/payments/confirmations/{bank}/{token}/"


@pytest.fixture
def scb(in_town_a):
    return BankConnection.objects.create(bank="scb")


@pytest.fixture
def kbank(in_town_a):
    return BankConnection.objects.create(bank="kbank")


def post(client, conn, body, **extra):
    connection.set_schema_to_public()
    data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    return client.post(
        NATIVE.format(bank=conn.bank, token=conn.callback_token), data=data, content_type="application/json", **extra
    )


def scb_body(bill, **changes):
    from services.payments.local_bank import Paid

    paid = Paid("scb", "TX0001", "099400015804101", bill.ref1, bill.ref2, bill.total, _now(), "สมชาย")
    return {**LocalBank().callback_body(paid), **changes}


def kbank_body(bill, **changes):
    from services.payments.local_bank import Paid

    paid = Paid("kbank", "KTX0001", "", bill.ref1, "", bill.total, _now(), "")
    return {**LocalBank().callback_body(paid), **changes}


def _now():
    import datetime as dt

    from services.common.buddhist_era import BANGKOK

    return dt.datetime.now(BANGKOK).replace(microsecond=0)


def test_scb_confirmation_pays_once_and_replies_in_scbs_format(scb, client_a, in_town_a):
    bill = make_invoice(amount="150.00")
    for _attempt in range(3):  # SCB retries up to three times, 12 s apart
        response = post(client_a, scb, scb_body(bill))
        assert response.status_code == 200
        assert response.json() == {"resCode": "00", "resDesc": "success", "transactionId": "TX0001"}
    connection.set_tenant(in_town_a)
    assert Payment.objects.filter(invoice=bill).count() == 1
    assert Receipt.objects.filter(invoice=bill).count() == 1


def test_kbank_notification_pays_and_replies_in_kbanks_format(kbank, client_a, in_town_a):
    bill = make_invoice(amount="99.50")
    response = post(client_a, kbank, kbank_body(bill))
    assert response.status_code == 200
    assert response.json() == {"statusCode": "00", "errorCode": None, "errorDesc": None}
    connection.set_tenant(in_town_a)
    assert Invoice_status(bill) == "paid"


def Invoice_status(bill):
    bill.refresh_from_db()
    return bill.status


def test_a_wrong_token_or_a_bank_not_set_up_is_refused(scb, client_a, in_town_a):
    bill = make_invoice()
    connection.set_schema_to_public()
    body = json.dumps(scb_body(bill)).encode()
    assert client_a.post(NATIVE.format(bank="scb", token="guess"), data=body, content_type="application/json").status_code == 401
    assert client_a.post(NATIVE.format(bank="kbank", token=scb.callback_token), data=body, content_type="application/json").status_code == 401
    connection.set_tenant(in_town_a)
    assert BankTransaction.objects.count() == 0


def test_one_towns_token_means_nothing_on_another_towns_host(scb, client_b, in_town_a, town_b):
    bill = make_invoice()
    token = scb.callback_token
    connection.set_tenant(town_b)
    BankConnection.objects.create(bank="scb")  # town B has its own SCB connection and token
    connection.set_schema_to_public()
    response = client_b.post(
        NATIVE.format(bank="scb", token=token), data=json.dumps(scb_body(bill)), content_type="application/json"
    )
    assert response.status_code == 401
    connection.set_tenant(town_b)
    assert BankTransaction.objects.count() == 0
    connection.set_tenant(in_town_a)
    assert BankTransaction.objects.count() == 0


def test_the_proxy_allow_list_is_checked_here_too(scb, client_a, in_town_a):
    scb.allowed_networks = "203.0.113.0/24\n2001:db8::/32"
    scb.save()
    bill = make_invoice()
    assert post(client_a, scb, scb_body(bill), REMOTE_ADDR="198.51.100.7").status_code == 403
    assert post(client_a, scb, scb_body(bill), REMOTE_ADDR="203.0.113.9").status_code == 200


def test_another_towns_biller_id_is_queued_not_paid(scb, client_a, in_town_a):
    bill = make_invoice()
    response = post(client_a, scb, scb_body(bill, payeeProxyId="099400099999901"))
    assert response.status_code == 200
    connection.set_tenant(in_town_a)
    item = PaymentException.objects.get()
    assert item.kind == "wrong_biller"
    assert "099400099999901" in item.note
    assert Payment.objects.count() == 0


BAD_SCB = [
    {"amount": "99999999999999999999.00"},  # overflows a money column
    {"amount": "1e400"},
    {"amount": "NaN"},
    {"amount": -5},
    {"amount": True},
    {"amount": {"value": 1}},
    {"amount": "1.005"},
    {"billPaymentRef1": "ALP\x00257"},
    {"payerName": "nul\x00name"},
    {"transactionId": ["a", "b"]},
    {"transactionId": "T" * 300},
    {"billPaymentRef1": "R" * 25},
    {"transactionDateandTime": "yesterday"},
    {"transactionDateandTime": "9999-12-31T23:59:59+14:00"},
    {"transactionDateandTime": 20261203},
    {"currencyCode": "840"},
]


@pytest.mark.parametrize("change", BAD_SCB, ids=[next(iter(c)) + str(i) for i, c in enumerate(BAD_SCB)])
def test_a_bad_scb_body_is_a_400_in_scbs_shape_and_writes_nothing(scb, client_a, in_town_a, change):
    bill = make_invoice()
    response = post(client_a, scb, scb_body(bill, **change))
    assert response.status_code == 400
    body = response.json()
    assert body["resCode"] == "99" and body["resDesc"]
    connection.set_tenant(in_town_a)
    assert BankTransaction.objects.count() == 0


@pytest.mark.parametrize(
    "raw",
    [b"", b"not json", b"[1, 2]", b'{"a": ' * 2000, "{\"txnNo\": \"x\u0000\"}".encode(), b"\xff\xfe"],
    ids=["empty", "text", "list", "deep", "nul", "binary"],
)
def test_kbank_garbage_is_a_400_in_kbanks_shape(kbank, client_a, in_town_a, raw):
    response = post(client_a, kbank, raw)
    assert response.status_code == 400
    assert response.json()["statusCode"] == "10"
    connection.set_tenant(in_town_a)
    assert BankTransaction.objects.count() == 0


def test_a_kbank_error_status_is_not_a_payment(kbank, client_a, in_town_a):
    bill = make_invoice()
    response = post(client_a, kbank, kbank_body(bill, statusCode="10"))
    assert response.status_code == 400
    connection.set_tenant(in_town_a)
    assert BankTransaction.objects.count() == 0
