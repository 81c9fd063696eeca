"""Finance back-office pages: who may open them, what they show, the actions they take."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from openpyxl import load_workbook

from api.tokens import issue_token
from services.payments import actions
from services.payments.catalogue import install_default_catalogue
from services.payments.models import FeeTier, Invoice, Payer, PayerFee, PaymentException, Receipt
from tests.factories import make_user

from .conftest import make_invoice

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance_client(in_town_a, client_a):
    user = make_user(roles=("finance_officer",))
    client_a.force_login(user)
    return client_a, user


def test_pages_open_for_finance_and_refuse_other_staff(in_town_a, client_a, finance_client):
    client, _user = finance_client
    for path in (
        "/payments/staff/",
        "/payments/staff/payers/",
        "/payments/staff/invoices/",
        "/payments/staff/bill-runs/",
        "/payments/staff/exceptions/",
        "/payments/staff/receipts/",
        "/payments/staff/statements/",
        "/payments/staff/cash-report/",
    ):
        assert client.get(path).status_code == 200, path
    connection.set_tenant(in_town_a)
    clerk = make_user(roles=("saraban_clerk",))
    other = type(client)(HTTP_HOST="alpha.localhost")
    other.force_login(clerk)
    assert other.get("/payments/staff/").status_code == 403
    assert other.get("/payments/staff/bill-runs/").status_code == 403
    anonymous = type(client)(HTTP_HOST="alpha.localhost")
    assert anonymous.get("/payments/staff/").status_code == 302


def test_a_finance_officer_runs_a_bill_run_from_the_page(in_town_a, finance_client):
    client, _user = finance_client
    install_default_catalogue(valid_from=dt.date(2025, 10, 1))
    payer = Payer.objects.create(code="H900", name="นายเก้าร้อย", phone="0811111111", community="ชุมชนกลาง")
    PayerFee.objects.create(payer=payer, tier=FeeTier.objects.get(fee_type__code="garbage", code="household"))
    response = client.post("/payments/staff/bill-runs/", {"month": "2026-11"}, follow=True)
    assert response.status_code == 200
    assert "ออกใบแจ้งหนี้ 1 ฉบับ" in response.content.decode()
    connection.set_tenant(in_town_a)
    invoice = Invoice.objects.get(payer=payer)
    page = client.get(f"/payments/staff/invoices/{invoice.number}/")
    assert invoice.number in page.content.decode()
    ledger = client.get("/payments/staff/payers/H900/").content.decode()
    assert invoice.number in ledger
    assert "30.00" in ledger


def test_counter_payment_and_receipt_cancellation_from_the_pages(in_town_a, finance_client):
    client, _user = finance_client
    invoice = make_invoice(amount="55.00")
    response = client.post(
        f"/payments/staff/invoices/{invoice.number}/", {"action": "counter", "amount": "55.00"}, follow=True
    )
    assert "ใบเสร็จเลขที่" in response.content.decode()
    connection.set_tenant(in_town_a)
    receipt = Receipt.objects.get(invoice=invoice)
    client.post(f"/payments/staff/receipts/{receipt.pk}/cancel/", {"reason": "ออกผิดราย"})
    connection.set_tenant(in_town_a)
    receipt.refresh_from_db()
    assert receipt.status == "cancelled"
    assert receipt.cancel_reason == "ออกผิดราย"


def test_exception_is_resolved_by_applying_to_an_invoice(in_town_a, finance_client):
    client, _user = finance_client
    invoice = make_invoice(amount="100.00")
    txn, _ = actions.record_bank_transaction(
        channel="callback",
        transaction_key="generic:PART1",
        amount=Decimal("40.00"),
        paid_at=invoice.created_at,
        ref1=invoice.ref1,
    )
    actions.settle_bank_transaction(transaction_id=txn.pk)
    item = PaymentException.objects.get(invoice=invoice)
    assert (
        client.post(
            f"/payments/staff/exceptions/{item.pk}/",
            {"resolution": "applied", "invoice_number": invoice.number, "note": ""},
        ).status_code
        == 200
    )  # note required
    response = client.post(
        f"/payments/staff/exceptions/{item.pk}/",
        {"resolution": "applied", "invoice_number": invoice.number, "note": "ผู้ชำระแจ้งว่าจ่ายบางส่วน"},
    )
    assert response.status_code == 302
    connection.set_tenant(in_town_a)
    invoice.refresh_from_db()
    item.refresh_from_db()
    assert item.status == "resolved"
    assert item.resolved_by is not None
    assert invoice.paid_amount == Decimal("40.00")
    assert invoice.status == "open"
    assert Receipt.objects.get(invoice=invoice).amount == Decimal("40.00")
    # The QR now asks for the rest.
    from services.payments import promptpay

    assert promptpay.parse_payload(invoice.qr_payload).amount == Decimal("60.00")


def test_cash_report_as_pdf_and_excel(in_town_a, finance_client):
    client, user = finance_client
    receipt = actions.record_counter_payment(
        invoice_id=make_invoice(amount="20.00").pk, amount=Decimal("20.00"), by=user
    )
    day = receipt.issued_at.astimezone(dt.timezone(dt.timedelta(hours=7))).date().isoformat()
    pdf = client.get(f"/payments/staff/cash-report/?day={day}&format=pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    xlsx = client.get(f"/payments/staff/cash-report/?day={day}&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    numbers = [row[0] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert receipt.display_number in numbers


def test_payer_import_page_shows_row_errors(in_town_a, finance_client):
    client, _user = finance_client
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = "code,name\nP1,นายหนึ่ง\nP2,\n".encode()
    response = client.post("/payments/staff/payers/", {"file": SimpleUploadedFile("p.csv", data)})
    body = response.content.decode()
    assert response.status_code == 200
    assert "name missing" in body


def test_settings_page_rotates_the_bank_secret_for_town_admins_only(in_town_a, client_a, finance_client):
    from services.payments.models import PaymentSettings

    client, _user = finance_client
    assert client.get("/payments/staff/settings/").status_code == 403
    connection.set_tenant(in_town_a)
    admin = make_user(roles=("town_admin",))
    admin_client = type(client)(HTTP_HOST="alpha.localhost")
    admin_client.force_login(admin)
    connection.set_tenant(in_town_a)
    before = PaymentSettings.current().bank_hmac_secret
    admin_client.post("/payments/staff/settings/", {"action": "rotate"})
    connection.set_tenant(in_town_a)
    assert PaymentSettings.current().bank_hmac_secret != before


def test_staff_of_one_town_cannot_use_pages_of_another(in_town_a, finance_client, client_b):
    client, _user = finance_client
    client_b.cookies = client.cookies
    response = client_b.get("/payments/staff/")
    assert response.status_code == 302


def test_portal_lookup_by_payer_code_and_phone(in_town_a, client_a):
    from tests.services.payments.test_payer_links import code_texted_to

    payer = Payer.objects.create(code="H777", name="นางเจ็ด", phone="0817777777")
    invoice = make_invoice(amount="30.00", payer=payer)
    wrong = client_a.post("/payments/", {"code": "H777", "phone": "0810000000"})
    assert "ไม่พบข้อมูลผู้ชำระ" in wrong.content.decode()
    sent = client_a.post("/payments/", {"code": "h777", "phone": "081-777-7777"}).content.decode()
    assert invoice.number not in sent and "xxx-xxx-7777" in sent  # code and phone alone show nothing
    connection.set_tenant(in_town_a)
    client_a.post("/payments/", {"step": "code", "otp": code_texted_to("0817777777")})
    page = client_a.get("/payments/").content.decode()
    assert invoice.number in page


def test_portal_lookup_is_throttled_after_repeated_failures(in_town_a, client_a):
    from django.core.cache import cache

    cache.clear()
    for _ in range(10):
        client_a.post("/payments/", {"code": "NOPE", "phone": "0810000000"})
    assert client_a.post("/payments/", {"code": "NOPE", "phone": "0810000000"}).status_code == 429
    cache.clear()


def test_invoice_api_for_finance_staff_only_and_only_on_their_town(in_town_a, client_a, client_b):

    invoice = make_invoice(amount="70.00")
    finance = make_user(roles=("finance_officer",))
    officer = make_user(roles=("officer",))
    finance_token = issue_token(finance)
    officer_token = issue_token(officer)
    listed = client_a.get(
        f"/api/v1/payments/invoices/?q={invoice.number}", HTTP_AUTHORIZATION=f"Token {finance_token}"
    )
    assert listed.status_code == 200
    assert listed.json()["results"][0]["qr_payload"] == invoice.qr_payload
    assert listed.json()["results"][0]["total"] == "70.00"
    detail = client_a.get(
        f"/api/v1/payments/invoices/{invoice.number}/", HTTP_AUTHORIZATION=f"Token {finance_token}"
    )
    assert detail.status_code == 200
    assert (
        client_a.get("/api/v1/payments/invoices/", HTTP_AUTHORIZATION=f"Token {officer_token}").status_code
        == 403
    )
    assert (
        client_b.get("/api/v1/payments/invoices/", HTTP_AUTHORIZATION=f"Token {finance_token}").status_code
        == 401
    )


def test_town_admin_adds_a_rate_and_the_legal_cap_is_enforced(in_town_a, client_a):
    from services.payments.models import FeeType

    admin = make_user(roles=("town_admin",))
    client_a.force_login(admin)
    connection.set_tenant(in_town_a)
    fee = FeeType.objects.create(code="garbage-x", name_th="ค่าขยะทดสอบ", monthly_cap=Decimal("30.00"))
    base = {
        "form": "tier",
        "tier-fee_type": fee.pk,
        "tier-code": "home",
        "tier-name_th": "บ้าน",
        "tier-payer_kind": "household",
        "tier-frequency": "monthly",
        "tier-basis": "flat",
        "tier-valid_from": "2026-12-01",
        "tier-rate_version": "ข้อบัญญัติ 2569",
    }
    too_high = client_a.post("/payments/staff/fees/", {**base, "tier-amount": "45.00"})
    assert too_high.status_code == 200
    assert "legal cap" in too_high.content.decode()
    assert client_a.post("/payments/staff/fees/", {**base, "tier-amount": "25.00"}).status_code == 302
    connection.set_tenant(in_town_a)
    assert FeeTier.objects.get(fee_type=fee, code="home").amount == Decimal("25.00")
    finance = make_user(roles=("finance_officer",))
    other = type(client_a)(HTTP_HOST="alpha.localhost")
    other.force_login(finance)
    assert other.get("/payments/staff/fees/").status_code == 200
    assert other.post("/payments/staff/fees/", {**base, "tier-amount": "20.00"}).status_code == 403


def test_finance_adds_and_edits_a_payer_with_their_fees(in_town_a, finance_client):
    client, _user = finance_client
    install_default_catalogue(valid_from=dt.date(2025, 10, 1))
    garbage = FeeTier.objects.get(fee_type__code="garbage", code="household")
    wastewater = FeeTier.objects.get(fee_type__code="wastewater", code="household")
    form = {
        "code": "H555",
        "name": "นายห้า ห้าห้า",
        "kind": "household",
        "occupancy": "owner",
        "phone": "081-555-5555",
        "is_active": "on",
        "garbage_tier": garbage.pk,
        "wastewater_tier": wastewater.pk,
    }
    missing_m3 = client.post("/payments/staff/payers/new/", form)
    assert missing_m3.status_code == 200
    assert "m³" in missing_m3.content.decode()
    assert client.post("/payments/staff/payers/new/", {**form, "wastewater_m3": "10"}).status_code == 302
    connection.set_tenant(in_town_a)
    payer = Payer.objects.get(code="H555")
    assert payer.phone == "0815555555"
    assert set(payer.fees.filter(is_active=True).values_list("tier__code", flat=True)) == {"household"}
    assert payer.fees.filter(is_active=True).count() == 2
    edit = {**form, "code": "IGNORED", "name": "นายห้า เปลี่ยนชื่อ", "wastewater_tier": ""}
    assert client.post("/payments/staff/payers/H555/edit/", edit).status_code == 302
    connection.set_tenant(in_town_a)
    payer.refresh_from_db()
    assert payer.name == "นายห้า เปลี่ยนชื่อ"
    assert payer.fees.filter(is_active=True).count() == 1


def test_bill_run_list_links_to_its_invoices(in_town_a, finance_client):
    client, user = finance_client
    install_default_catalogue(valid_from=dt.date(2025, 10, 1))
    payer = Payer.objects.create(code="H901", name="นายเก้าศูนย์หนึ่ง", phone="0811111112")
    PayerFee.objects.create(payer=payer, tier=FeeTier.objects.get(fee_type__code="garbage", code="household"))
    other = make_invoice(amount="99.00")
    from services.payments import billing

    run = billing.run_bill_run(period=dt.date(2026, 11, 1), by=user)
    page = client.get("/payments/staff/bill-runs/").content.decode()
    assert "พฤศจิกายน 2569" in page
    listed = client.get(f"/payments/staff/invoices/?run={run.pk}").content.decode()
    connection.set_tenant(in_town_a)
    assert Invoice.objects.get(payer=payer).number in listed
    assert other.number not in listed


def test_applying_an_over_payment_pays_the_bill_and_records_the_refund(in_town_a, finance_client):
    _client, user = finance_client
    invoice = make_invoice(amount="150.00")
    txn, _ = actions.record_bank_transaction(
        channel="callback",
        transaction_key="generic:OVER1",
        amount=Decimal("200.00"),
        paid_at=invoice.created_at,
        ref1=invoice.ref1,
    )
    actions.settle_bank_transaction(transaction_id=txn.pk)
    item = PaymentException.objects.get(invoice=invoice)
    assert item.kind == "overpaid"
    actions.resolve_exception(exception_id=item.pk, by=user, resolution="applied", note="ชำระเกิน คืน 50 บาท")
    item.refresh_from_db()
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    assert Receipt.objects.get(invoice=invoice).amount == Decimal("150.00")
    assert item.refund_amount == Decimal("50.00")
