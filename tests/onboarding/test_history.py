"""seed_history: a year of activity through the services' own actions, and a national summary that
equals what the towns' own schemas hold (summed here directly, town by town)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone
from rest_framework.test import APIClient

from api.tokens import issue_token
from onboarding.history import History, Profile, exchange_letters
from onboarding.models import PlatformMonthlySummary
from onboarding.summary import month_bounds, months_back, refresh_platform_summary
from tests.factories import make_user

MONTHS = 3  # ending with this month, as the console and the API count them
TINY = Profile(
    payers=30, complaints_per_month=8, months_before_go_live=1, permits_per_month=1, food_per_month=1,
    letters_in_per_month=2, letters_out_per_month=1, counter_payments_per_month=2,
)
ROLES = {
    "oss": "oss_officer", "officer": "officer", "head": "department_head", "finance": "finance_officer",
    "engineer": "building_engineer", "exec": "executive", "health": "public_health_officer",
    "clerk": "saraban_clerk", "admin": "town_admin",
}


def _cast(town) -> None:
    """The staff a history needs, named as the demo names them (<prefix>-<role>)."""
    from services.accounts.models import Department
    from services.correspondence.town_settings import saraban_settings
    from services.payments.catalogue import install_default_catalogue

    connection.set_tenant(town)
    works = Department.objects.create(code="works", name_th="กองช่าง")
    for suffix, role in ROLES.items():
        user = make_user(username=f"{town.slug}-{suffix}", roles=(role,), department=works)
        if suffix == "head":
            works.head = user
            works.save()
    config = saraban_settings()
    config.letter_prefix = f"ชบ {town.pk}0001"
    config.save()
    install_default_catalogue(valid_from=dt.date(2025, 10, 1))


def _history(town, **kwargs) -> dict:
    connection.set_tenant(town)
    try:
        return History(town=town, prefix=town.slug, months=MONTHS, profile=TINY, **kwargs).run()
    finally:
        connection.set_schema_to_public()


def _direct_sums(towns, month: dt.date) -> dict:
    """What the towns' own tables hold for `month`, read straight from each schema."""
    from services.casework.models import Case, Certificate
    from services.complaints.models import Complaint
    from services.correspondence.models import RegisterEntry
    from services.payments.models import Invoice, Payment

    start, end = month_bounds(month)
    total = {"complaints": 0, "cases": 0, "money": Decimal("0"), "bills": 0, "letters": 0, "certificates": 0}
    for town in towns:
        connection.set_tenant(town)
        total["complaints"] += (
            Complaint.objects.filter(received_at__gte=start, received_at__lt=end).exclude(status="merged").count()
        )
        total["cases"] += Case.objects.filter(submitted_at__gte=start, submitted_at__lt=end).count()
        total["money"] += (
            Payment.objects.filter(paid_at__gte=start, paid_at__lt=end)
            .exclude(receipt__status="cancelled")
            .aggregate(n=Sum("amount"))["n"]
            or Decimal("0")
        )
        total["bills"] += (
            Invoice.objects.filter(issue_date__gte=start.date(), issue_date__lt=end.date())
            .exclude(status="cancelled")
            .count()
        )
        total["letters"] += RegisterEntry.objects.filter(registered_at__gte=start, registered_at__lt=end).count()
        total["certificates"] += Certificate.objects.filter(
            issued_on__gte=start.date(), issued_on__lt=end.date()
        ).count()
    connection.set_schema_to_public()
    return total


@pytest.mark.django_db
def test_national_figures_equal_what_the_towns_hold(town_a, town_b):
    from onboarding.models import TownFiguresStatus

    _cast(town_a)
    _cast(town_b)
    _history(town_a)
    _history(town_b, seed=7)
    # The two towns then write to each other over the exchange: two letters each way, each pair once.
    assert exchange_letters([(town_a, "alpha"), (town_b, "beta")]) == 4
    assert exchange_letters([(town_a, "alpha"), (town_b, "beta")]) == 0
    result = refresh_platform_summary(months=MONTHS)
    assert result["failed"] == {}
    assert sorted(result["refreshed"]) == ["alpha", "beta"]
    assert not TownFiguresStatus.objects.filter(last_error__gt="", last_failure_at__isnull=False).exists()

    connection.set_schema_to_public()
    api = APIClient(HTTP_HOST="localhost")
    api.credentials(HTTP_AUTHORIZATION="Token " + issue_token(make_user(kind="platform_admin")))
    served = {row["month"]: row for row in api.get(f"/api/platform/v1/summary/?months={MONTHS}").json()["results"]}
    seen_money = Decimal("0")
    exchanged = 0
    for month in months_back(timezone.localdate(), MONTHS):
        held = _direct_sums([town_a, town_b], month)
        row = PlatformMonthlySummary.objects.get(month=month)
        figures = row.figures
        assert figures["complaints"]["requests_filed"] == held["complaints"]
        assert row.requests_filed == held["complaints"] + held["cases"]
        assert row.money_collected == held["money"]
        assert int(figures["payments"]["bills_issued"]) == held["bills"]
        assert (figures.get("correspondence") or {}).get("letters_registered", 0) == held["letters"]
        issued = (figures.get("building_permits") or {}).get("issued", 0) + (
            figures.get("food_premises") or {}
        ).get("issued", 0)
        assert issued == held["certificates"]
        # The platform API serves the same month.
        api_row = served[month.isoformat()]
        assert api_row["requests_filed"] == row.requests_filed
        assert Decimal(str(api_row["money_collected"])) == row.money_collected
        seen_money += held["money"]
        exchanged += (figures.get("correspondence") or {}).get("exchanged_sent", 0)
        delivery = (figures.get("correspondence") or {}).get("median_delivery_hours")
        if delivery:
            assert delivery["median"] < 2  # sent at 12:40, registered there at 14:10, acknowledged at 14:11
    assert seen_money > 0  # the history did bill and collect
    assert exchanged == 4
    for town, other in ((town_a, town_b), (town_b, town_a)):
        connection.set_tenant(town)
        from services.correspondence.models import Letter, LetterRecipient

        assert Letter.objects.filter(direction="incoming", sender_code=other.lao_code, status="registered").count() == 2
        # Each sender holds the receiving number the other town gave it.
        assert set(LetterRecipient.objects.filter(agency_code=other.lao_code).values_list("status", flat=True)) == {
            "registered"
        }
        assert all(ref.startswith("เลขรับ") for ref in LetterRecipient.objects.values_list("their_reference", flat=True)
                   if ref)
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_history_goes_through_the_actions_and_runs_once(town_a):
    from auditlog.models import LogEntry

    from services.complaints.models import Complaint, OssSettings
    from services.complaints.selectors import before_go_live
    from services.payments.models import BillRun, Invoice, Receipt

    _cast(town_a)
    first = _history(town_a)
    assert "complaints filed" in first["complaints"]
    connection.set_tenant(town_a)
    counts = (Complaint.objects.count(), Invoice.objects.count(), Receipt.objects.count())
    # The year's messages were written by the services but none is left to be sent months late.
    from services.common.models import OutboxMessage
    from services.common.outbox import max_age

    assert "past messages expired unsent" in first["messages"]
    assert OutboxMessage.objects.filter(status="expired").exists()
    assert not OutboxMessage.objects.filter(status="pending", created_at__lt=timezone.now() - max_age()).exists()
    # Official numbers from the gapless series: 1..n, in filing order.
    numbers = [int(code.rsplit("-", 1)[1]) for code in Complaint.objects.order_by("received_at").values_list(
        "tracking_code", flat=True
    )]
    assert numbers == list(range(1, len(numbers) + 1))
    assert BillRun.objects.filter(status="done").count() >= MONTHS - 1  # this month's may not be due yet
    # Audit rows written by the actions, as for any officer's work.
    assert LogEntry.objects.filter(content_type__model="complaint").count() >= counts[0]
    # The story: about a week before the online OSS went live, about a day once it had.
    went_live = OssSettings.current().went_live_on
    before = before_go_live(went_live)
    assert before is not None and before["median_days"] > 4
    connection.set_schema_to_public()

    again = _history(town_a)
    assert all(outcome.startswith("already present") for outcome in again.values())
    connection.set_tenant(town_a)
    assert (Complaint.objects.count(), Invoice.objects.count(), Receipt.objects.count()) == counts
