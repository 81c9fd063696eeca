"""The town admin's messaging page: this month's messages per channel, SMS credit used, failures
with the provider's reason, the town's own sealed provider account; nobody else's town."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from services.common.message_report import monthly_figures
from services.common.models import MessagingSettings, OutboxMessage
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _row(key: str, **fields) -> OutboxMessage:
    values = {"channel": "sms", "recipient": "0812345678", "body": "x", "status": "sent"}
    values.update(fields)
    return OutboxMessage.objects.create(idempotency_key=key, **values)


@pytest.fixture
def admin_a(in_town_a, client_a):
    user = make_user(roles=("town_admin",))
    client_a.force_login(user)
    return client_a


def test_the_page_shows_counts_credit_and_failures_with_reasons(admin_a):
    _row("p1", segments=2, cost=Decimal("0.70"), provider="thaibulksms", provider_status="accepted")
    _row("p2", segments=1, cost=Decimal("0.35"), provider="twilio", provider_status="delivered")
    _row("p3", status="failed", provider="thaibulksms", last_error="thaibulksms: bad number 0812345678: Invalid phone number")
    _row("p4", channel="email", recipient="a@example.org")
    old = _row("p5", segments=5, cost=Decimal("9.00"))
    OutboxMessage.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=40))
    response = admin_a.get("/staff/messages/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Invalid phone number" in body
    assert "<strong>3</strong>" in body and "<strong>1.05</strong>" in body  # this month's parts and baht only


def test_saving_the_towns_account_seals_the_secret_and_never_shows_it(admin_a, in_town_a):
    response = admin_a.post("/staff/messages/", {
        "sms_provider": "thaibulksms", "thaibulksms_api_key": "town-key", "thaibulksms_api_secret": "town-secret-123",
        "thaibulksms_sender": "ALPHA", "thaibulksms_force": "corporate",
    })
    assert response.status_code == 302
    connection.set_tenant(in_town_a)  # the request ends in the public schema
    row = MessagingSettings.current()
    assert row.thaibulksms_api_secret == "town-secret-123"
    page = admin_a.get("/staff/messages/").content.decode()
    assert "town-secret-123" not in page and "town-key" not in page
    admin_a.post("/staff/messages/", {"sms_provider": "thaibulksms", "thaibulksms_sender": "ALPHA2"})
    connection.set_tenant(in_town_a)
    row = MessagingSettings.current()
    assert row.thaibulksms_api_secret == "town-secret-123" and row.thaibulksms_sender == "ALPHA2"


def test_a_citizen_or_an_officer_without_the_permission_is_refused(in_town_a, client_a):
    officer = make_user(roles=("oss_officer",))
    client_a.force_login(officer)
    assert client_a.get("/staff/messages/").status_code == 403


def test_another_towns_admin_sees_only_their_own_town(in_town_a, client_b, town_b):
    from django.db import connection

    _row("a-only", status="failed", last_error="alpha-only failure reason")
    connection.set_tenant(town_b)
    client_b.force_login(make_user(roles=("town_admin",)))
    body = client_b.get("/staff/messages/").content.decode()
    assert "alpha-only failure reason" not in body


def test_monthly_figures_carry_counts_and_money_but_no_recipient(in_town_a):
    _row("f1", segments=2, cost=Decimal("0.70"))
    _row("f2", status="failed", last_error="x")
    start = timezone.now() - dt.timedelta(days=1)
    figures = monthly_figures(start, timezone.now() + dt.timedelta(days=1))
    assert figures["sms_sent"] == 1 and figures["sms_failed"] == 1 and figures["sms_parts"] == 2
    assert figures["sms_cost"] == "0.70"
    assert "0812345678" not in str(figures)
