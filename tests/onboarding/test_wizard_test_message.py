"""The wizard's services step sends a test message through the platform's provider account."""

from __future__ import annotations

import pytest
from django.db import connection

from onboarding.models import OnboardingDraft
from services.common.models import OutboxMessage
from services.common.notify.simulator import ProviderSimulator
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def dga(platform_client):
    connection.set_schema_to_public()
    platform_client.force_login(make_user(kind="platform_admin", username="dga-test-message"))
    return platform_client


def _draft(dga) -> OnboardingDraft:
    dga.post("/onboarding/")
    draft = OnboardingDraft.objects.latest("created_at")
    OnboardingDraft.objects.filter(pk=draft.pk).update(completed_step=3)
    return draft


def test_step_four_sends_a_test_sms_and_shows_the_provider_id(dga, settings):
    with ProviderSimulator() as provider:
        settings.SMS_PROVIDER = "thaibulksms"
        settings.THAIBULKSMS_URL = provider.url
        settings.THAIBULKSMS_API_KEY = provider.thaibulksms_key
        settings.THAIBULKSMS_API_SECRET = provider.thaibulksms_secret
        draft = _draft(dga)
        page = dga.get(f"/onboarding/{draft.public_id}/step/4/")
        assert "ส่งข้อความทดสอบ" in page.content.decode()
        response = dga.post(f"/onboarding/{draft.public_id}/step/4/",
                            {"action": "test_message", "channel": "sms", "to": "0812345678", "text": "ทดสอบ"},
                            follow=True)
    [request] = provider.sent_to("/sms")
    assert request.form["message"] == "ทดสอบ"
    message = OutboxMessage.objects.get(idempotency_key__startswith=f"wizard-test:{draft.public_id}")
    assert message.provider_message_id in response.content.decode()
    assert OnboardingDraft.objects.get(pk=draft.pk).completed_step == 3  # the step itself is not saved


def test_a_refused_test_message_shows_the_reason(dga, settings):
    settings.SMS_PROVIDER = "file"
    draft = _draft(dga)
    response = dga.post(f"/onboarding/{draft.public_id}/step/4/",
                        {"action": "test_message", "channel": "sms", "to": "12345", "text": "x"}, follow=True)
    assert "not a Thai phone number" in response.content.decode()
    assert OutboxMessage.objects.get(idempotency_key__startswith=f"wizard-test:{draft.public_id}").status == "failed"


def test_an_empty_test_message_form_is_a_400(dga):
    draft = _draft(dga)
    response = dga.post(f"/onboarding/{draft.public_id}/step/4/", {"action": "test_message", "channel": "sms"})
    assert response.status_code == 400
