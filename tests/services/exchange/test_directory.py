"""The directory: live towns appear by themselves; outside agencies are managed by command."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from services.exchange import actions as exchange
from services.exchange.directory import agencies, find_agency
from services.exchange.models import ExchangeMessage, ExternalAgency, MessageStatus
from tenants.models import MunicipalityStatus

pytestmark = pytest.mark.django_db


def test_live_towns_are_in_the_directory_and_suspended_ones_are_not(town_a, town_b):
    assert find_agency(town_b.lao_code).name_th == town_b.name_th
    town_b.status = MunicipalityStatus.SUSPENDED
    town_b.save()
    assert find_agency(town_b.lao_code) is None
    assert town_b.lao_code not in [a.code for a in agencies()]


def test_delivery_to_a_suspended_town_waits_and_retries(town_a, town_b):
    message = exchange.send(
        kind="letter",
        sender_code=town_a.lao_code,
        recipient_code=town_b.lao_code,
        payload={"subject": "x", "letter_number": "ที่ 1/1", "letter_date": "2026-11-25"},
    )
    town_b.status = MunicipalityStatus.SUSPENDED
    town_b.save()
    with pytest.raises(exchange.DeliveryPostponed):
        exchange.deliver(message.pk)
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert message.attempts == 1
    town_b.status = MunicipalityStatus.LIVE
    town_b.save()
    assert exchange.deliver(message.pk) == MessageStatus.DELIVERED
    assert ExchangeMessage.objects.get(pk=message.pk).attempts == 2


def test_agency_command_adds_prints_the_key_once_and_deactivates():
    out = io.StringIO()
    call_command(
        "exchange_agency",
        code="PVN0017",
        name="สำนักงานจังหวัดชลบุรี",
        endpoint="https://saraban.example.go.th/inbound",
        stdout=out,
    )
    agency = ExternalAgency.objects.get(code="PVN0017")
    assert agency.shared_key in out.getvalue()
    assert find_agency("PVN0017").endpoint == "https://saraban.example.go.th/inbound"
    call_command("exchange_agency", code="PVN0017", deactivate=True, stdout=io.StringIO())
    assert find_agency("PVN0017") is None
