"""Payments test helpers: invoices raised in the current town schema."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.payments.actions import InvoiceLineSpec, raise_invoice


def make_invoice(*, amount: str = "150.00", source: str = "test", source_id: str | None = None, **fields):
    import uuid

    return raise_invoice(
        payer_name=fields.pop("payer_name", "นางสาวสมใจ ใจดี"),
        payer_phone=fields.pop("payer_phone", "0812345678"),
        lines=[
            InvoiceLineSpec(
                fee_code=fields.pop("fee_code", "garbage"),
                description="ค่าเก็บขยะมูลฝอย",
                quantity=Decimal("1"),
                unit_price=Decimal(amount),
            )
        ],
        source=source,
        source_id=source_id or uuid.uuid4().hex,
        **fields,
    )


@pytest.fixture
def invoice(in_town_a):
    return make_invoice()
