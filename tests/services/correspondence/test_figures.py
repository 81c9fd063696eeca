"""e-Saraban's monthly figures for the national summary, on a known set of letters."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from onboarding.summary import month_bounds
from services.correspondence import actions
from services.correspondence.figures import monthly_figures

from .helpers import approved_letter, configure_town, scan, staff_set

BKK = ZoneInfo("Asia/Bangkok")


@pytest.mark.django_db
def test_letters_registered_in_a_month(in_town_a):
    configure_town()
    people = staff_set()
    for day in (3, 4, 28):
        with time_machine.travel(dt.datetime(2025, 11, day, 10, tzinfo=BKK), tick=False):
            actions.register_paper_letter(
                by=people["clerk"],
                subject="แจ้งกำหนดการ",
                sender_name="อำเภอสัตหีบ",
                letter_number=f"ชบ 0023/{day}",
                letter_date=dt.date(2025, 11, day),
                scans=[scan()],
            )
    with time_machine.travel(dt.datetime(2025, 11, 6, 10, tzinfo=BKK), tick=False):
        letter = approved_letter(people)
        actions.send_letter(letter_id=letter.pk, by=people["clerk"], paper_recipients=["อำเภอสัตหีบ"])
    with time_machine.travel(dt.datetime(2025, 12, 1, 10, tzinfo=BKK), tick=False):
        actions.register_paper_letter(
            by=people["clerk"],
            subject="ธันวาคม",
            sender_name="อำเภอสัตหีบ",
            letter_number="ชบ 0023/99",
            letter_date=dt.date(2025, 12, 1),
            scans=[scan()],
        )

    figures = monthly_figures(*month_bounds(dt.date(2025, 11, 1)))

    assert (figures["letters_received"], figures["letters_sent"], figures["letters_registered"]) == (3, 1, 4)
    assert figures["exchanged_sent"] == 0
    assert monthly_figures(*month_bounds(dt.date(2025, 6, 1))) is None
