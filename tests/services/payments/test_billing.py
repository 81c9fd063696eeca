"""Bill runs: once per period, arrears carried forward, dated rates, QR on every bill; payer CSV import."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from services.payments import billing, promptpay
from services.payments.catalogue import install_default_catalogue
from services.payments.models import BillRun, FeeTier, FeeType, Invoice, Payer, PayerFee, PaymentSettings
from services.payments.payer_import import import_payers
from tests.factories import make_user

pytestmark = pytest.mark.django_db
NOV = dt.date(2026, 11, 1)


@pytest.fixture
def catalogue(in_town_a):
    install_default_catalogue(valid_from=dt.date(2025, 10, 1))
    return {t.code: t for t in FeeTier.objects.filter(fee_type__code="garbage")}


@pytest.fixture
def finance(in_town_a):
    return make_user(roles=("finance_officer",))


def add_payer(code: str, tier: FeeTier, **fields) -> Payer:
    payer = Payer.objects.create(
        code=code,
        name=fields.pop("name", f"ผู้ชำระ {code}"),
        phone="0812345678",
        community=fields.pop("community", "ชุมชนบ้านเหนือ"),
        **fields,
    )
    PayerFee.objects.create(payer=payer, tier=tier)
    return payer


def test_bill_run_bills_every_active_payer_once_with_a_qr(catalogue, finance, in_town_a):
    add_payer("H001", catalogue["household"])
    add_payer("S001", catalogue["shop"])
    add_payer("X001", catalogue["household"], is_active=False)
    run = billing.run_bill_run(period=NOV, by=finance, today=dt.date(2026, 11, 2))
    assert run.invoice_count == 2
    assert run.total == Decimal("110.00")
    again = billing.run_bill_run(period=dt.date(2026, 11, 20), by=finance)
    assert again.pk == run.pk
    assert Invoice.objects.filter(bill_run=run).count() == 2
    bill = Invoice.objects.get(payer__code="S001", bill_run=run)
    parsed = promptpay.parse_payload(bill.qr_payload)
    assert (parsed.ref1, parsed.ref2, parsed.amount) == (bill.number, "S001", Decimal("80.00"))
    assert bill.number.startswith("ALP2570")  # fiscal year 2570 began on 1 Oct 2026
    assert "พฤศจิกายน 2569" in bill.lines.get().description


def test_unpaid_bills_are_carried_forward_as_arrears(catalogue, finance, in_town_a):
    add_payer("H002", catalogue["household"])
    november = billing.run_bill_run(period=NOV, by=finance, today=dt.date(2026, 11, 2))
    december = billing.run_bill_run(period=dt.date(2026, 12, 1), by=finance, today=dt.date(2026, 12, 2))
    old = Invoice.objects.get(bill_run=november)
    new = Invoice.objects.get(bill_run=december)
    assert old.status == "carried"
    assert old.carried_to == new
    assert old.qr_payload == ""
    assert new.total == Decimal("60.00")
    assert [line.fee_code for line in new.lines.all()] == ["garbage", "arrears"]
    assert promptpay.parse_payload(new.qr_payload).amount == Decimal("60.00")


def test_dated_rates_apply_from_their_date(catalogue, finance, in_town_a):
    add_payer("H003", catalogue["household"])
    old_tier = catalogue["household"]
    FeeTier.objects.create(
        fee_type=old_tier.fee_type,
        code="household",
        name_th=old_tier.name_th,
        payer_kind=old_tier.payer_kind,
        amount=Decimal("40.00"),
        valid_from=dt.date(2026, 12, 1),
        rate_version="ข้อบัญญัติ 2569",
    )
    old_tier.valid_to = dt.date(2026, 11, 30)
    old_tier.save()
    billing.run_bill_run(period=NOV, by=finance, today=dt.date(2026, 11, 2))
    december = billing.run_bill_run(period=dt.date(2026, 12, 1), by=finance, today=dt.date(2026, 12, 2))
    line = Invoice.objects.get(bill_run=december).lines.get(fee_code="garbage")
    assert (line.unit_price, line.rate_version) == (Decimal("40.00"), "ข้อบัญญัติ 2569")


def test_quarterly_billing_charges_three_months_and_skips_other_months(catalogue, finance, in_town_a):
    settings_row = PaymentSettings.current()
    settings_row.billing_months = 3
    settings_row.save()
    add_payer("H004", catalogue["household"])
    with pytest.raises(ValidationError):
        billing.run_bill_run(period=NOV, by=finance)
    run = billing.run_bill_run(period=dt.date(2027, 1, 1), by=finance, today=dt.date(2027, 1, 2))
    assert run.total == Decimal("90.00")


def test_only_finance_may_run_billing(catalogue, in_town_a):
    with pytest.raises(PermissionDenied):
        billing.run_bill_run(period=NOV, by=make_user(roles=("officer",)))
    assert not BillRun.objects.exists()


def test_beat_runs_due_billing_once(catalogue, in_town_a):
    add_payer("H005", catalogue["household"])
    settings_row = PaymentSettings.current()
    settings_row.auto_bill_runs = True
    settings_row.bill_day = 5
    settings_row.save()
    assert billing.run_due_bill_run(today=dt.date(2026, 11, 4)) is None
    assert billing.run_due_bill_run(today=dt.date(2026, 11, 5)) is not None
    assert billing.run_due_bill_run(today=dt.date(2026, 11, 6)) is None
    assert BillRun.objects.count() == 1


def test_fee_tier_above_the_towns_legal_cap_is_refused(in_town_a):
    fee = FeeType.objects.create(code="garbage2", name_th="ค่าขยะ", monthly_cap=Decimal("30.00"))
    tier = FeeTier(fee_type=fee, code="h", name_th="บ้าน", amount=Decimal("40.00"), valid_from=NOV)
    with pytest.raises(ValidationError):
        tier.full_clean()


CSV_HEADER = "code,name,kind,house_no,community,phone,email,garbage_tier,wastewater_tier,wastewater_m3\n"


def test_payer_csv_import_in_windows_874_with_row_errors(catalogue, finance, in_town_a):
    rows = CSV_HEADER + (
        "H100,นายหนึ่ง ใจดี,household,1/1,ชุมชนบ้านเหนือ,081-234-5678,,household,household,12\n"
        "H101,,household,1/2,ชุมชนบ้านเหนือ,0812345678,,household,,\n"
        "H102,นางสอง,castle,1/3,ชุมชนบ้านใต้,123,bad-mail,nosuch,household,\n"
        "S100,ร้านสาม,ร้านค้า,5,ชุมชนตลาด,0899999999,shop@example.org,shop,business,30\n"
    )
    report = import_payers(data=rows.encode("cp874"), by=finance)
    assert report.encoding == "windows-874"
    assert (report.created, report.updated) == (2, 0)
    assert [number for number, _ in report.errors] == [3, 4]
    assert "name" in report.errors[0][1]
    assert "castle" in report.errors[1][1]
    payer = Payer.objects.get(code="H100")
    assert payer.phone == "0812345678"
    assert payer.name == "นายหนึ่ง ใจดี"
    assert PayerFee.objects.get(payer=payer, tier__fee_type__code="wastewater").quantity == Decimal("12")
    assert not Payer.objects.filter(code__in=["H101", "H102"]).exists()
    again = import_payers(data=rows.encode("utf-8"), by=finance)
    assert (again.created, again.updated, again.encoding) == (0, 2, "utf-8")


def test_payer_import_dry_run_writes_nothing(catalogue, finance, in_town_a):
    report = import_payers(
        data=(CSV_HEADER + "H200,นายทดลอง,household,,,,,household,,\n").encode(), by=finance, dry_run=True
    )
    assert report.created == 1
    assert not Payer.objects.filter(code="H200").exists()


def test_demo_seed_gives_a_payer_the_portal_can_find(in_town_a):
    from django.core.management import call_command
    from django.db import connection

    from services.payments.selectors import payer_for_lookup

    connection.set_schema_to_public()
    call_command("seed_payments_demo", town="alpha", payers=10, stdout=__import__("io").StringIO())
    connection.set_tenant(in_town_a)
    assert Payer.objects.filter(code__startswith="H").count() >= 8
    assert payer_for_lookup(code="h0001", phone="081 234 5678") is None  # not the demo citizen's phone
    assert payer_for_lookup(code="h0002", phone="0800000002").code == "H0002"
    assert PayerFee.objects.filter(payer__code="H0003", tier__fee_type__code="wastewater").exists()


def test_a_bill_run_bills_only_its_own_towns_payers(catalogue, finance, in_town_a, town_b):
    from django.db import connection

    add_payer("H010", catalogue["household"])
    connection.set_tenant(town_b)
    install_default_catalogue(valid_from=dt.date(2025, 10, 1))
    add_payer("B010", FeeTier.objects.get(fee_type__code="garbage", code="household"))
    connection.set_tenant(in_town_a)
    run = billing.run_bill_run(period=NOV, by=finance, today=dt.date(2026, 11, 2))
    assert list(Invoice.objects.filter(bill_run=run).values_list("payer__code", flat=True)) == ["H010"]
    connection.set_tenant(town_b)
    assert not Invoice.objects.exists()
    assert not BillRun.objects.exists()
