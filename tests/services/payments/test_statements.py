"""End-of-day statements: CSV and the BOT 256-character TIS-620 file, matched like callbacks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from services.common.buddhist_era import BANGKOK
from services.payments import actions, statements
from services.payments.actions import import_statement
from services.payments.models import BankTransaction, Invoice, Payment, PaymentException, Receipt
from services.payments.statements import StatementLine, format_bot_file
from tests.factories import make_user

from .conftest import make_invoice

pytestmark = pytest.mark.django_db
BILLER = "099400015804101"


@pytest.fixture
def finance(in_town_a):
    return make_user(roles=("finance_officer",))


def line_for(invoice, *, amount=None, minute=0, name="นางสมใจ ใจดี"):
    return StatementLine(
        line_no=0,
        paid_at=dt.datetime(2026, 11, 25, 10, minute, tzinfo=BANGKOK),
        amount=Decimal(amount or invoice.total),
        ref1=invoice.ref1,
        ref2=invoice.ref2,
        biller_id=BILLER,
        payer_name=name,
        bank_code="004",
    )


def test_bot_file_pays_open_bills_confirms_callbacks_and_flags_the_rest(in_town_a, finance):
    open_bill = make_invoice(amount="30.00")
    paid_by_callback = make_invoice(amount="80.00")
    partial_bill = make_invoice(amount="100.00")
    txn, _ = actions.record_bank_transaction(
        channel="callback",
        transaction_key="generic:CB1",
        amount=Decimal("80.00"),
        paid_at=dt.datetime(2026, 11, 25, 9, 0, tzinfo=BANGKOK),
        ref1=paid_by_callback.ref1,
        ref2=paid_by_callback.ref2,
    )
    actions.settle_bank_transaction(transaction_id=txn.pk)
    data = format_bot_file(
        [
            line_for(open_bill),
            line_for(paid_by_callback, minute=1),
            line_for(partial_bill, amount="60.00", minute=2),
            StatementLine(
                line_no=0,
                paid_at=dt.datetime(2026, 11, 25, 11, 0, tzinfo=BANGKOK),
                amount=Decimal("5.00"),
                ref1="NOSUCH",
                biller_id=BILLER,
            ),
        ],
        company_name="เทศบาลตำบลอัลฟา",
    )
    assert all(len(raw) == 256 for raw in data.decode("tis_620").splitlines())
    statement = import_statement(data=data, file_name="bot.txt", statement_format="bot", by=finance)
    assert (
        statement.line_count,
        statement.matched_count,
        statement.confirmed_count,
        statement.exception_count,
    ) == (4, 1, 1, 2)
    assert Invoice.objects.get(pk=open_bill.pk).status == "paid"
    assert Receipt.objects.filter(invoice=open_bill).count() == 1
    assert Payment.objects.filter(invoice=paid_by_callback).count() == 1
    assert Payment.objects.get(invoice=paid_by_callback).confirmed_by.channel == "statement"
    assert Receipt.objects.filter(invoice=paid_by_callback).count() == 1
    assert PaymentException.objects.get(invoice=partial_bill).kind == "partial"
    assert PaymentException.objects.filter(bank_transaction__ref1="NOSUCH", kind="unmatched").exists()
    assert BankTransaction.objects.get(ref1=open_bill.ref1).payer_name == "นางสมใจ ใจดี"


def test_the_same_file_twice_changes_nothing(in_town_a, finance):
    bill = make_invoice(amount="30.00")
    data = format_bot_file([line_for(bill)])
    first = import_statement(data=data, file_name="a.txt", statement_format="bot", by=finance)
    again = import_statement(data=data, file_name="a.txt", statement_format="bot", by=finance)
    assert again.pk == first.pk
    assert Payment.objects.filter(invoice=bill).count() == 1


def test_a_later_file_repeating_a_line_counts_it_as_duplicate(in_town_a, finance):
    bill = make_invoice(amount="30.00")
    other = make_invoice(amount="40.00")
    import_statement(
        data=format_bot_file([line_for(bill)]), file_name="a.txt", statement_format="bot", by=finance
    )
    second = import_statement(
        data=format_bot_file([line_for(bill), line_for(other)]),
        file_name="b.txt",
        statement_format="bot",
        by=finance,
    )
    assert (second.duplicate_count, second.matched_count) == (1, 1)
    assert Payment.objects.filter(invoice=bill).count() == 1


def test_a_trailer_that_does_not_add_up_refuses_the_whole_file(in_town_a, finance):
    bill = make_invoice(amount="30.00")
    data = format_bot_file([line_for(bill)]).decode("tis_620")
    lines = data.splitlines()
    lines[-1] = lines[-1][:39] + "0000000009999" + lines[-1][52:]
    with pytest.raises(statements.StatementError) as error:
        import_statement(
            data=("\r\n".join(lines)).encode("tis_620"),
            file_name="bad.txt",
            statement_format="bot",
            by=finance,
        )
    assert "trailer" in " ".join(error.value.messages)
    assert not BankTransaction.objects.filter(ref1=bill.ref1).exists()


def test_short_lines_are_reported_by_number(in_town_a, finance):
    data = format_bot_file([]).decode("tis_620").splitlines()
    data.insert(1, "D000002 too short")
    with pytest.raises(statements.StatementError) as error:
        import_statement(
            data="\n".join(data).encode("tis_620"), file_name="x", statement_format="bot", by=finance
        )
    assert "line 2" in error.value.messages[0]


def test_csv_statement_in_windows_874(in_town_a, finance):
    bill = make_invoice(amount="150.00")
    text = (
        "transaction_id,paid_at,amount,ref1,ref2,biller_id,payer_name,bank_code\n"
        f"T1,2026-11-25 10:00,150.00,{bill.ref1},{bill.ref2},{BILLER},นายทดสอบ,006\n"
    )
    statement = import_statement(
        data=text.encode("cp874"), file_name="s.csv", statement_format="csv", by=finance
    )
    assert statement.matched_count == 1
    assert Invoice.objects.get(pk=bill.pk).status == "paid"


def test_csv_with_a_bad_amount_is_refused_with_its_line(in_town_a, finance):
    text = "paid_at,amount,ref1\n2026-11-25 10:00,12.345,X1\n"
    with pytest.raises(statements.StatementError) as error:
        import_statement(data=text.encode(), file_name="s.csv", statement_format="csv", by=finance)
    assert "line 2" in error.value.messages[0]


def test_only_finance_may_import(in_town_a):
    with pytest.raises(PermissionDenied):
        import_statement(
            data=b"paid_at,amount,ref1\n",
            file_name="s.csv",
            statement_format="csv",
            by=make_user(roles=("officer",)),
        )


def test_callback_after_the_statement_confirms_instead_of_paying_twice(in_town_a, finance):
    bill = make_invoice(amount="30.00")
    import_statement(
        data=format_bot_file([line_for(bill)]), file_name="a.txt", statement_format="bot", by=finance
    )
    txn, _ = actions.record_bank_transaction(
        channel="callback",
        transaction_key="generic:LATE1",
        amount=Decimal("30.00"),
        paid_at=dt.datetime(2026, 11, 25, 10, 0, 5, tzinfo=BANGKOK),
        ref1=bill.ref1,
        ref2=bill.ref2,
    )
    actions.settle_bank_transaction(transaction_id=txn.pk)
    txn.refresh_from_db()
    assert txn.outcome == "confirmed"
    assert Payment.objects.filter(invoice=bill).count() == 1


def test_a_double_payment_reported_twice_is_one_exception_not_two(in_town_a, finance):
    bill = make_invoice(amount="30.00")
    for key, minute in (("generic:D1", 0), ("generic:D2", 5)):
        txn, _ = actions.record_bank_transaction(
            channel="callback",
            transaction_key=key,
            amount=Decimal("30.00"),
            paid_at=dt.datetime(2026, 11, 25, 10, minute, tzinfo=BANGKOK),
            ref1=bill.ref1,
            ref2=bill.ref2,
        )
        actions.settle_bank_transaction(transaction_id=txn.pk)
    assert PaymentException.objects.filter(invoice=bill, kind="double").count() == 1
    statement = import_statement(
        data=format_bot_file([line_for(bill), line_for(bill, minute=5)]),
        file_name="eod.txt",
        statement_format="bot",
        by=finance,
    )
    assert statement.confirmed_count == 2
    assert statement.exception_count == 0
    assert PaymentException.objects.filter(invoice=bill).count() == 1
    assert Payment.objects.filter(invoice=bill).count() == 1
    confirmed = BankTransaction.objects.filter(channel="statement", ref1=bill.ref1)
    assert {t.confirms.transaction_key for t in confirmed} == {"generic:D1", "generic:D2"}


def test_an_unmatched_callback_is_confirmed_not_duplicated_by_the_statement(in_town_a, finance):
    txn, _ = actions.record_bank_transaction(
        channel="callback",
        transaction_key="generic:U1",
        amount=Decimal("12.00"),
        paid_at=dt.datetime(2026, 11, 25, 9, 0, tzinfo=BANGKOK),
        ref1="GHOST1",
    )
    actions.settle_bank_transaction(transaction_id=txn.pk)
    line = StatementLine(
        line_no=0,
        paid_at=dt.datetime(2026, 11, 25, 9, 0, tzinfo=BANGKOK),
        amount=Decimal("12.00"),
        ref1="GHOST1",
        biller_id=BILLER,
    )
    statement = import_statement(
        data=format_bot_file([line]), file_name="g.txt", statement_format="bot", by=finance
    )
    assert (statement.confirmed_count, statement.exception_count) == (1, 0)
    assert PaymentException.objects.filter(bank_transaction__ref1="GHOST1").count() == 1


def test_uploaded_statement_is_reconciled_by_the_background_task(
    in_town_a, client_a, django_capture_on_commit_callbacks
):
    from unittest import mock

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection

    from services.payments.actions import process_statement_import
    from services.payments.models import StatementImport

    finance = make_user(roles=("finance_officer",))
    bill = make_invoice(amount="30.00")
    client_a.force_login(finance)
    upload = SimpleUploadedFile("eod.txt", format_bot_file([line_for(bill)]))
    with (
        mock.patch("services.common.queueing.current_app.send_task") as send_task,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client_a.post("/payments/staff/statements/", {"file": upload, "format": "bot"})
    assert response.status_code == 302
    connection.set_tenant(in_town_a)
    statement = StatementImport.objects.get(file_name="eod.txt")
    assert statement.status == "processing"
    send_task.assert_called_once_with("services.payments.tasks.import_statement_file", args=(statement.pk,))
    assert process_statement_import(statement_id=statement.pk).status == "done"
    statement.refresh_from_db()
    assert statement.matched_count == 1
    assert Invoice.objects.get(pk=bill.pk).status == "paid"
    # Running the task again (a retry) changes nothing.
    process_statement_import(statement_id=statement.pk)
    assert Payment.objects.filter(invoice=bill).count() == 1


def test_a_bad_uploaded_file_is_marked_failed_with_its_lines(in_town_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from services.payments.actions import process_statement_import, queue_statement_import

    finance = make_user(roles=("finance_officer",))
    statement = queue_statement_import(
        upload=SimpleUploadedFile("bad.csv", b"paid_at,amount,ref1\nyesterday,1.00,X\n"),
        statement_format="csv",
        by=finance,
    )
    statement = process_statement_import(statement_id=statement.pk)
    assert statement.status == "failed"
    assert "line 2" in statement.error


def test_another_towns_statement_cannot_pay_this_towns_bill(in_town_a, town_b):
    from django.db import connection

    bill = make_invoice(amount="30.00")
    connection.set_tenant(town_b)
    other_finance = make_user(roles=("finance_officer",))
    statement = import_statement(
        data=format_bot_file([line_for(bill)]), file_name="b.txt", statement_format="bot", by=other_finance
    )
    assert statement.exception_count == 1
    assert PaymentException.objects.get(bank_transaction__statement=statement).kind == "wrong_biller"
    connection.set_tenant(in_town_a)
    assert Invoice.objects.get(pk=bill.pk).status == "open"
    assert not Payment.objects.filter(invoice=bill).exists()
