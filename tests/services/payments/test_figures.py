"""Fee payment's monthly figures for the national summary, on a known set of bills."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from onboarding.summary import month_bounds
from services.payments.actions import InvoiceLineSpec, raise_invoice, record_counter_payment
from services.payments.figures import monthly_figures
from tests.factories import make_user

BKK = ZoneInfo("Asia/Bangkok")


def _bill(n: int, lines: dict[str, str], *, issued: dt.date, due: dt.date):
    with time_machine.travel(dt.datetime.combine(issued, dt.time(9), BKK), tick=False):
        return raise_invoice(
            payer_name=f"ผู้ชำระ {n}",
            lines=[
                InvoiceLineSpec(fee_code=code, description=code, quantity=Decimal("1"), unit_price=Decimal(amount))
                for code, amount in lines.items()
            ],
            source="figures-test",
            source_id=str(n),
            due_date=due,
        )


def _pay(invoice, at: dt.datetime, cashier):
    with time_machine.travel(at, tick=False):
        record_counter_payment(invoice_id=invoice.pk, amount=invoice.total, by=cashier)


@pytest.mark.django_db
def test_a_month_of_bills_and_payments(in_town_a):
    cashier = make_user(roles=("finance_officer",))
    due = dt.date(2025, 11, 15)
    one = _bill(1, {"garbage": "20.00", "wastewater": "10.00"}, issued=dt.date(2025, 11, 1), due=due)
    two = _bill(2, {"garbage": "40.00"}, issued=dt.date(2025, 11, 1), due=due)
    three = _bill(3, {"garbage": "20.00"}, issued=dt.date(2025, 11, 1), due=due)
    _bill(4, {"garbage": "20.00"}, issued=dt.date(2025, 11, 1), due=dt.date(2025, 12, 15))
    _pay(one, dt.datetime(2025, 11, 10, 10, tzinfo=BKK), cashier)  # on time
    _pay(two, dt.datetime(2025, 11, 20, 10, tzinfo=BKK), cashier)  # late
    _pay(three, dt.datetime(2025, 12, 2, 10, tzinfo=BKK), cashier)  # next month: in arrears at November's end

    figures = monthly_figures(*month_bounds(dt.date(2025, 11, 1)))

    assert figures["money_collected"] == "70.00"
    assert figures["money_by_fee_type"] == {"garbage": "60.00", "wastewater": "10.00"}
    assert figures["payments_by_channel"] == {"counter": 2}
    assert figures["bills_issued"] == 4
    assert figures["billed_amount"] == "110.00"
    assert (figures["bills_due"], figures["bills_paid_on_time"]) == (3, 1)
    assert (figures["bills_in_arrears"], figures["arrears_amount"]) == (1, "20.00")
    december = monthly_figures(*month_bounds(dt.date(2025, 12, 1)))
    assert december["money_collected"] == "20.00"
