"""The last mile with a real Celery worker: a complaint filed on the web portal reaches the (local)
ThaiBulkSMS server in exactly one HTTP request that carries the tracking code."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from services.common.notify.simulator import ProviderSimulator
from tenants.models import Municipality
from tests.waiting import wait_for

pytestmark = pytest.mark.worker


def test_a_complaint_filed_on_the_web_reaches_the_sms_provider_once(live_worker, django_db_blocker):
    from services.common.models import NumberSeries, OutboxMessage
    from services.complaints.models import Category, Complaint, Holiday, HolidayYear

    with ProviderSimulator() as provider, django_db_blocker.unblock():
        live_worker.env.update({
            "SMS_PROVIDER": "thaibulksms", "THAIBULKSMS_URL": provider.url,
            "THAIBULKSMS_API_KEY": provider.thaibulksms_key, "THAIBULKSMS_API_SECRET": provider.thaibulksms_secret,
            "THAIBULKSMS_SENDER": "ALPHA",
        })
        alpha = Municipality.objects.get(slug="alpha")
        live_worker.start()
        try:
            with tenant_context(alpha):
                road = Category.objects.get(code="road")
            response = Client(HTTP_HOST="alpha.localhost").post("/complaints/new/", {
                "category": road.pk, "description": "ไฟถนนดับทั้งซอย ทดสอบ SMS จริง",
                "latitude": "12.750000", "longitude": "100.900000",
                "reporter_name": "สมหญิง", "reporter_phone": "089-876-5432", "consent": "on",
            })
            assert response.status_code == 302, response.content[:500]
            with tenant_context(alpha):
                complaint = Complaint.objects.get(reporter_phone__endswith="5432", description__contains="ทดสอบ SMS จริง")
                code = complaint.tracking_code

            def sent() -> bool:
                with tenant_context(alpha):
                    return OutboxMessage.objects.filter(channel="sms", recipient__endswith="5432", status="sent").exists()

            assert wait_for(sent), "the worker did not deliver the SMS"
            time.sleep(2)  # a duplicate would arrive now
            requests = provider.sent_to("/sms")
            assert len(requests) == 1
            assert code in requests[0].form["message"]
            assert requests[0].form["msisdn"] == "66898765432"
            with tenant_context(alpha):
                message = OutboxMessage.objects.get(channel="sms", recipient__endswith="5432")
                assert message.provider == "thaibulksms" and message.provider_message_id
        finally:
            with tenant_context(alpha):
                Complaint.objects.filter(description__contains="ทดสอบ SMS จริง").delete()
                OutboxMessage.objects.filter(recipient__endswith="5432").delete()
                NumberSeries.objects.filter(series="complaint").delete()
                Holiday.objects.all().delete()
                HolidayYear.objects.all().delete()
