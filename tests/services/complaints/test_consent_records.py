"""The consent ticked on a complaint form is kept as a consent record (PDPA evidence), with the
notice version in force, the channel, and who took it when a volunteer filed in person."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import tenant_context

from services.complaints import actions
from services.complaints.models import Complaint
from services.privacy.actions import current_notice
from services.privacy.models import ConsentRecord

from .conftest import file_complaint, make_filing

pytestmark = pytest.mark.django_db


def test_a_web_filing_keeps_the_reporters_consent_with_the_case_code(category):
    complaint = file_complaint(category)
    record = ConsentRecord.objects.get()
    assert (record.purpose, record.subject_reference, record.channel) == (
        f"complaint:{complaint.tracking_code}", complaint.tracking_code, "web",
    )
    assert record.notice_version == current_notice().version
    assert record.user is None and record.recorded_by is None  # a visitor without an account


def test_a_volunteer_filing_records_consent_given_in_person(category, staff):
    complaint = actions.submit_complaint(
        filing=make_filing(category), channel=Complaint.Channel.BBUDDY, by=staff["volunteer"], ip="203.0.113.9"
    )
    record = ConsentRecord.objects.get(subject_reference=complaint.tracking_code)
    assert (record.channel, record.recorded_by) == ("in_person", staff["volunteer"])


def test_a_refused_filing_writes_no_consent_and_records_stay_in_their_town(category, town_b):
    with pytest.raises(ValidationError):
        file_complaint(category, consent=False)
    assert ConsentRecord.objects.count() == 0
    file_complaint(category)
    assert ConsentRecord.objects.count() == 1
    with tenant_context(town_b):
        assert ConsentRecord.objects.count() == 0
