"""The national roll-up carries each town's messages (counts, SMS parts, baht; no recipient)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from onboarding.national import service_view
from onboarding.summary import collect_town_figures, month_start
from services.common.buddhist_era import BANGKOK
from services.common.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_a_towns_month_includes_its_messages(in_town_a):
    OutboxMessage.objects.create(idempotency_key="nf1", channel="sms", recipient="0812345678", body="x",
                                 status="sent", segments=2, cost=Decimal("0.70"))
    OutboxMessage.objects.create(idempotency_key="nf2", channel="line", recipient="U1", body="x", status="sent")
    OutboxMessage.objects.create(idempotency_key="nf3", channel="sms", recipient="0812345679", body="x", status="expired")
    OutboxMessage.objects.create(idempotency_key="nf4", channel="email", recipient="a@b.th", body="x", status="expired")
    parts = collect_town_figures(month_start(timezone.now().astimezone(BANGKOK).date()))
    view = service_view(parts)["messages"]
    assert (view["sms_sent"], view["sms_parts"], view["sms_cost"], view["line_sent"]) == (1, 2, Decimal("0.70"), 1)
    assert view["expired"] == 2  # one SMS and one e-mail that were never sent
    assert "0812345678" not in str(parts)
