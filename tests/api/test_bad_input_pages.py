"""Garbage POSTed to the main HTML forms: never a 500, markup always escaped, nothing saved when refused.

Each form is read first (GET) for its field names, then every field gets the same bad value: 100k-char
strings, wrong types, NUL and control characters, HTML/script, random bytes as files; plus an empty
POST and a body that is not UTF-8. A 2xx/4xx answer that is not a redirect means the input was
refused, so no row may have been written; a redirect means it was accepted.
"""

from __future__ import annotations

import os
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from tests.factories import make_user

SCRIPT = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
PAYLOADS = {
    "huge": "ก" * 100_000,
    "script": SCRIPT,
    "nul": "abc\x00def\x1b",
    "number_overflow": "9" * 60,
    "negative": "-1",
    "float_inf": "1e309",
    "nan": "NaN",
    "json_list": "[1, 2, {}]",
    "bad_date": "2569-13-45",
    "whitespace": "   \t\n  ",
    "rtl_and_emoji": "\u202e\U0001f4a9\ufeff",
}
FIELD = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"', re.I)
NOT_FIELDS = {"csrfmiddlewaretoken"}


def field_names(html: str) -> list[str]:
    return sorted({name for name in FIELD.findall(html) if name not in NOT_FIELDS})


def random_file(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{name}.pdf", os.urandom(2048), content_type="application/pdf")


class Form:
    """One form on one host, as a given user, with a row count that must not move on refusal."""

    def __init__(self, client, url: str, count, schema=None):
        self.client, self.url, self.count, self.schema = client, url, count, schema

    def rows(self) -> int:
        if self.schema is not None:
            connection.set_tenant(self.schema)
        try:
            return self.count()
        finally:
            connection.set_schema_to_public()

    def fields(self) -> list[str]:
        page = self.client.get(self.url)
        assert page.status_code == 200, (self.url, page.status_code)
        names = field_names(page.content.decode())
        assert names, f"no form fields found on {self.url}"
        return names

    def post(self, data=None, **kwargs):
        before = self.rows()
        response = self.client.post(self.url, data if data is not None else {}, **kwargs)
        assert response.status_code < 500, (self.url, response.status_code)
        if response.status_code not in (301, 302, 303):
            assert self.rows() == before, f"{self.url}: a refused POST wrote rows"
        body = response.content.decode("utf-8", errors="replace")
        assert SCRIPT not in body, f"{self.url}: markup came back unescaped"
        return response


def hammer(form: Form) -> None:
    names = form.fields()
    form.post({})  # every field missing
    for value in PAYLOADS.values():
        form.post(dict.fromkeys(names, value))
        form.post({names[0]: [value, value]})  # a repeated field
    form.post({name: random_file(name) for name in names})  # a file where text is expected, or random bytes
    form.post(b"a=%FF%FE%FA&" + "&".join(f"{n}=%C3%28" for n in names).encode(),
              content_type="application/x-www-form-urlencoded")  # not UTF-8
    form.post(b"\xff\xfe\x00garbage", content_type="multipart/form-data; boundary=zzz")  # broken multipart


# ---- town hosts -------------------------------------------------------------------------------------

@pytest.fixture
def citizen_a(in_town_a, client_a):
    client_a.force_login(make_user(kind="citizen", username="bad-input-citizen", phone="0812345678"))
    connection.set_schema_to_public()
    return client_a


@pytest.fixture
def staff_a(in_town_a, client_a):
    from django.contrib.auth.models import Group

    client_a.force_login(make_user(username="bad-input-staff", roles=tuple(Group.objects.values_list("name", flat=True))))
    connection.set_schema_to_public()
    return client_a


def _count(model_path: str):
    from django.apps import apps

    return lambda: apps.get_model(model_path).objects.count()


def test_complaint_filing(citizen_a, town_a):
    hammer(Form(citizen_a, "/complaints/new/", _count("complaints.Complaint"), town_a))


def test_bill_lookup(client_a, town_a):
    hammer(Form(client_a, "/payments/", _count("payments.Payer"), town_a))


def test_permit_application(citizen_a, town_a):
    hammer(Form(citizen_a, "/permits/apply/", _count("casework.Case"), town_a))


def test_food_notification(citizen_a, town_a):
    hammer(Form(citizen_a, "/food/apply/", _count("casework.Case"), town_a))


def test_letter_drafting(staff_a, town_a):
    hammer(Form(staff_a, "/saraban/letters/new/", _count("correspondence.Letter"), town_a))


def test_paper_letter_registration(staff_a, town_a):
    hammer(Form(staff_a, "/saraban/letters/receive/", _count("correspondence.Letter"), town_a))


def test_staff_invite(staff_a, town_a):
    hammer(Form(staff_a, "/staff/people/invite/", _count("accounts.User"), town_a))


def test_citizen_sign_up(client_a, town_a):
    hammer(Form(client_a, "/accounts/signup/", _count("accounts.User"), town_a))


@pytest.mark.parametrize(("url", "model"), [
    ("/payments/staff/payers/new/", "payments.Payer"),
    ("/payments/staff/settings/", "payments.Invoice"),
    ("/payments/staff/fees/", "payments.Invoice"),
    ("/permits/staff/settings/", "casework.Case"),
    ("/food/staff/settings/", "casework.Case"),
    ("/saraban/settings/", "correspondence.Letter"),
    ("/complaints/track/", "complaints.Complaint"),
])
def test_other_forms(staff_a, town_a, url, model):
    hammer(Form(staff_a, url, _count(model), town_a))


# ---- platform host: the onboarding wizard -------------------------------------------------------------

@pytest.fixture
def wizard(platform_client):
    from onboarding.models import OnboardingDraft

    admin = make_user(username="bad-input-dga", kind="platform_admin")
    platform_client.force_login(admin)
    # Every step open, as for a draft whose earlier steps were saved.
    return platform_client, OnboardingDraft.objects.create(created_by=admin, completed_step=6)


@pytest.mark.parametrize("number", [1, 2, 3, 4, 5, 6])
def test_onboarding_wizard_step(wizard, number):
    from onboarding.models import OnboardingDraft
    from tenants.models import Municipality

    client, draft = wizard
    url = f"/onboarding/{draft.public_id}/step/{number}/"
    # A refused step leaves the draft's saved data and the town registry as they were.
    hammer(Form(client, url, lambda: (hash(repr(OnboardingDraft.objects.get(pk=draft.pk).data)),
                                      Municipality.objects.count())))


# ---- issue #9: referral, the agency directory, the public board's "me too" ------------------------------

def test_referral_agency_directory(staff_a, town_a):
    hammer(Form(staff_a, "/complaints/staff/settings/agencies/", _count("complaints.ReferralAgency"), town_a))


def test_me_too_on_the_public_board(client_a, town_a):
    from services.complaints.models import Category, OssSettings
    from tests.services.complaints.conftest import file_complaint

    connection.set_tenant(town_a)
    OssSettings.objects.update_or_create(defaults={"public_board_enabled": True})
    category = Category.objects.get(code="road")
    category.on_public_board = True
    category.save()
    case = file_complaint(category)
    connection.set_schema_to_public()
    names = Form(client_a, f"/complaints/board/{case.pk}/", None).fields()  # the me-too form's fields
    assert "phone" in names
    form = Form(client_a, f"/complaints/board/{case.pk}/me-too/", _count("complaints.Supporter"), town_a)
    form.post({})
    for value in PAYLOADS.values():
        form.post(dict.fromkeys(names, value))
    form.post({name: random_file(name) for name in names})
    form.post(b"\xff\xfe\x00garbage", content_type="multipart/form-data; boundary=zzz")
    assert form.rows() == 0


def test_referral_actions_with_garbage(staff_a, town_a):
    """The refer / decline / result / take-back buttons of the case page, POSTed with garbage: never a
    500, never a referral or an exchange message."""
    from services.complaints.models import Category, Complaint, Referral
    from services.exchange.models import ExchangeMessage
    from tests.services.complaints.conftest import file_complaint

    connection.set_tenant(town_a)
    case = file_complaint(Category.objects.get(code="road"))
    Complaint.objects.filter(pk=case.pk).update(status="accepted")
    connection.set_schema_to_public()
    fields = ["town_code", "reason", "share_contact", "agency", "agency_reference", "follow_up_on", "result"]
    for action in ("town", "agency", "decline", "result", "take-back"):
        url = f"/complaints/staff/{case.pk}/refer/{action}/"
        for value in [*PAYLOADS.values(), ""]:
            response = staff_a.post(url, dict.fromkeys(fields, value))
            assert response.status_code < 500, (url, value[:20])
            assert SCRIPT not in response.content.decode("utf-8", errors="replace")
        response = staff_a.post(url, b"\xff\xfe\x00garbage", content_type="multipart/form-data; boundary=zzz")
        assert response.status_code < 500, url
    assert not ExchangeMessage.objects.exists()
    connection.set_tenant(town_a)
    assert not Referral.objects.exists()
    assert Complaint.objects.get(pk=case.pk).status == "accepted"
    connection.set_schema_to_public()


def test_settings_row_buttons_with_garbage_ids(staff_a):
    """The holiday/community buttons of the OSS settings page with ids that are not ids: no 500."""
    for form in ("toggle_holiday", "toggle_community", "community_location"):
        for value in [*PAYLOADS.values(), "", "12abc"]:
            response = staff_a.post(
                "/complaints/staff/settings/",
                {"form": form, "holiday": value, "community": value, "latitude": value, "longitude": value},
            )
            assert response.status_code < 500, (form, value[:20])
