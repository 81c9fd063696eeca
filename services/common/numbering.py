"""Gapless official numbers: receipts, permits, certificates, letter registrations, tracking codes.

A row per (series, period) is locked with SELECT … FOR UPDATE inside the transaction that uses the
number, so a rolled-back transaction gives its number back and concurrent callers queue. Never
max()+1 (races) and never a database sequence (sequences skip on rollback).
"""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction

from .models import NumberSeries


class NumberingOutsideTransaction(RuntimeError):
    pass


def next_number(series: str, period: str | int) -> int:
    """Take the next number of `series` in `period`; must run inside the caller's transaction."""
    if not connection.in_atomic_block:
        raise NumberingOutsideTransaction("next_number() must run inside transaction.atomic()")
    period = str(period)
    row = NumberSeries.objects.select_for_update().filter(series=series, period=period).first()
    if row is None:
        try:
            with transaction.atomic():
                NumberSeries.objects.create(series=series, period=period, last_value=0)
        except IntegrityError:
            pass  # another transaction created it first; lock theirs below
        row = NumberSeries.objects.select_for_update().get(series=series, period=period)
    row.last_value += 1
    row.save(update_fields=["last_value"])
    return row.last_value


def peek_last_number(series: str, period: str | int) -> int:
    return (
        NumberSeries.objects.filter(series=series, period=str(period)).values_list("last_value", flat=True).first()
        or 0
    )
