"""A citizen sees a payer's bills only by proof — the national ID a digital-ID sign-in verified, a
one-time code to the payer's phone on file, or a finance officer's confirmation — never because the
phone numbers match; and never across towns. (A test request leaves the connection on the public
schema, hence the set_tenant() after each one.)"""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from services.common.models import OutboxMessage
from services.payments import payer_links, selectors
from services.payments.models import Payer, PayerLink
from tests.factories import make_user

from .conftest import make_invoice

pytestmark = pytest.mark.django_db

NATIONAL_ID = "1101700203450"


def code_texted_to(phone: str) -> str:
    message = OutboxMessage.objects.filter(recipient=phone, idempotency_key__startswith="otp:").latest("pk")
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def verified_citizen(national_id: str = NATIONAL_ID, **fields):
    return make_user(
        kind="citizen", national_id=national_id, identity_provider="thaid", identity_verified_at=timezone.now(),
        **fields,
    )


def test_a_matching_phone_number_shows_nobody_elses_bills(in_town_a, client_a):
    payer = Payer.objects.create(code="H778", name="นายประเสริฐ", phone="0818888888")
    invoice = make_invoice(amount="30.00", payer=payer)
    citizen = make_user(kind="citizen", phone="0818888888")  # same phone, another person
    client_a.force_login(citizen)
    page = client_a.get("/payments/").content.decode()
    connection.set_tenant(in_town_a)
    assert invoice.number not in page and "นายประเสริฐ" not in page
    assert list(selectors.payers_of_user(citizen)) == []


def test_the_verified_national_id_on_the_payer_record_opens_its_bills(in_town_a, client_a):
    payer = Payer.objects.create(code="H779", name="นางเก้า", national_id=NATIONAL_ID)
    invoice = make_invoice(amount="30.00", payer=payer)
    client_a.force_login(verified_citizen())
    page = client_a.get("/payments/").content.decode()
    connection.set_tenant(in_town_a)
    assert invoice.number in page and "ประวัติการชำระเงิน" in page


def test_a_national_id_without_a_digital_id_sign_in_proves_nothing(in_town_a):
    Payer.objects.create(code="H780", name="นางสิบ", national_id=NATIONAL_ID)
    unverified = make_user(kind="citizen", national_id=NATIONAL_ID)  # no provider vouched for it
    assert list(selectors.payers_of_user(unverified)) == []


def test_a_code_to_the_payers_phone_links_the_account(in_town_a, client_a):
    payer = Payer.objects.create(code="H781", name="นางสิบเอ็ด", phone="0817000001")
    invoice = make_invoice(amount="45.00", payer=payer)
    citizen = make_user(kind="citizen", phone="0899999999")
    client_a.force_login(citizen)
    sent = client_a.post("/payments/", {"code": "H781", "phone": "0817000001"})
    connection.set_tenant(in_town_a)
    assert sent.status_code == 200 and invoice.number not in sent.content.decode()
    wrong = client_a.post("/payments/", {"step": "code", "otp": "000000"})
    connection.set_tenant(in_town_a)
    assert wrong.status_code == 400
    assert not PayerLink.objects.filter(user=citizen).exists()
    client_a.post("/payments/", {"step": "code", "otp": code_texted_to("0817000001")})
    connection.set_tenant(in_town_a)
    link = PayerLink.objects.get(user=citizen, payer=payer)
    assert (link.status, link.method) == (PayerLink.Status.ACTIVE, PayerLink.Method.PHONE_CODE)
    # remembered on the account: a new browser session of the same person still sees them
    client_a.logout()
    client_a.force_login(citizen)
    assert invoice.number in client_a.get("/payments/").content.decode()
    connection.set_tenant(in_town_a)


def test_codes_to_one_payers_phone_are_limited(in_town_a, client_a):
    from django.core.cache import cache

    cache.clear()
    Payer.objects.create(code="H782", name="นางสิบสอง", phone="0817000002")
    for _ in range(5):
        assert client_a.post("/payments/", {"code": "H782", "phone": "0817000002"}).status_code == 200
        connection.set_tenant(in_town_a)
    assert client_a.post("/payments/", {"code": "H782", "phone": "0817000002"}).status_code == 429
    connection.set_tenant(in_town_a)
    assert OutboxMessage.objects.filter(recipient="0817000002").count() == 5


def test_the_town_confirms_a_requested_link(in_town_a, client_a):
    payer = Payer.objects.create(code="H783", name="นางสิบสาม")  # no phone on file
    invoice = make_invoice(amount="60.00", payer=payer)
    citizen = make_user(kind="citizen")
    client_a.force_login(citizen)
    client_a.post("/payments/", {"step": "ask", "code": "h783", "note": "ลูกสาว"})
    connection.set_tenant(in_town_a)
    link = PayerLink.objects.get(user=citizen)
    assert link.status == PayerLink.Status.REQUESTED
    assert invoice.number not in client_a.get("/payments/").content.decode()  # not before the check
    connection.set_tenant(in_town_a)

    clerk = make_user(roles=("oss_officer",))
    client_a.force_login(clerk)
    assert client_a.post(f"/payments/staff/payer-links/{link.pk}/decide/", {"approve": "1"}).status_code == 403
    connection.set_tenant(in_town_a)
    officer = make_user(roles=("finance_officer",))
    client_a.force_login(officer)
    assert "H783" in client_a.get("/payments/staff/payers/").content.decode()  # the queue
    connection.set_tenant(in_town_a)
    client_a.post(f"/payments/staff/payer-links/{link.pk}/decide/", {"approve": "1"})
    connection.set_tenant(in_town_a)
    link.refresh_from_db()
    assert (link.status, link.method, link.decided_by) == (
        PayerLink.Status.ACTIVE, PayerLink.Method.TOWN_CONFIRMED, officer,
    )
    client_a.force_login(citizen)
    assert invoice.number in client_a.get("/payments/").content.decode()
    connection.set_tenant(in_town_a)
    # and a revoked link closes the bills again
    payer_links.decide_payer_link(link_id=link.pk, by=officer, approve=False)
    assert invoice.number not in client_a.get("/payments/").content.decode()
    connection.set_tenant(in_town_a)


def test_a_link_or_national_id_in_one_town_means_nothing_in_another(town_a, town_b, client_a, client_b):
    connection.set_tenant(town_a)
    citizen_a = verified_citizen(username="same-person")
    connection.set_tenant(town_b)
    payer_b = Payer.objects.create(code="H784", name="นางบี", national_id=NATIONAL_ID)
    invoice_b = make_invoice(amount="70.00", payer=payer_b)
    twin_b = make_user(kind="citizen", username="same-person")  # same name, never signed in with ThaiD here
    assert list(selectors.payers_of_user(twin_b)) == []
    connection.set_tenant(town_a)
    client_a.force_login(citizen_a)
    client_b.cookies = client_a.cookies  # a Bang Sare session cookie shown to Na Jomtien
    page = client_b.get("/payments/").content.decode()
    assert invoice_b.number not in page
    connection.set_schema_to_public()


def test_the_demo_citizen_sees_her_own_household_and_nobody_elses(in_town_a, client_a):
    citizen = make_user(kind="citizen", username="alp-citizen", phone="0812345678")
    make_user(username="alp-finance", roles=("finance_officer",))
    connection.set_schema_to_public()
    call_command(
        "seed_payments_demo", town="alpha", payers=40, citizen="alp-citizen", officer="alp-finance",
        stdout=io.StringIO(),
    )
    connection.set_tenant(in_town_a)
    assert [p.code for p in selectors.payers_of_user(citizen)] == ["H0032"]
    assert Payer.objects.get(code="H0032").name == "นางมาลี ใจดี"
    assert Payer.objects.filter(phone="0812345678").count() == 1
    for payer in Payer.objects.exclude(code="H0032")[:40]:
        make_invoice(amount="10.00", payer=payer, source_id=f"demo-{payer.code}")
    own = make_invoice(amount="20.00", payer=Payer.objects.get(code="H0032"), source_id="demo-own")
    client_a.force_login(citizen)
    page = client_a.get("/payments/").content.decode()
    connection.set_tenant(in_town_a)
    assert own.number in page
    assert page.count("/payments/bill/") == 1
