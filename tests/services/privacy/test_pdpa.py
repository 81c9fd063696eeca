"""PDPA: the town's notice and its versions, consents, export (JSON + Thai PDF), correction and
erasure requests in a 30-day staff queue, erasure that keeps what the law keeps, retention."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from services.accounts.models import User
from services.complaints.models import Complaint
from services.payments.actions import record_counter_payment
from services.payments.models import Payer
from services.privacy import actions
from services.privacy.models import ConsentRecord, DataSubjectRequest, PrivacyNotice
from services.privacy.tasks import apply_retention
from tests.factories import make_user
from tests.services.casework import builders as b
from tests.services.citizens.test_my_requests import _complaint
from tests.services.payments.conftest import make_invoice

pytestmark = pytest.mark.django_db
ID = "1101700230708"


def malee():
    return b.citizen(first_name="มาลี", last_name="ใจดี", phone="0861110001", email="malee@example.org",
                     national_id=ID, identity_provider="thaid", identity_verified_at="2026-11-01T09:00:00+07:00")


def test_the_notice_has_versions_edited_by_the_town_admin_only(in_town_a):
    first = actions.current_notice()
    assert first.version == 1 and in_town_a.name_th in first.body_th
    consent = actions.record_consent(purpose="account", channel="web", user=malee())
    with pytest.raises(PermissionDenied):
        actions.publish_notice(by=make_user(roles=("officer",)), body_th="ใหม่")
    second = actions.publish_notice(by=make_user(roles=("town_admin",)), body_th="ฉบับปรับปรุง")
    assert second.version == 2 and actions.current_notice() == second
    consent.refresh_from_db()
    assert consent.notice_version == 1  # a consent keeps the version it was given against
    with pytest.raises(ValidationError):
        actions.publish_notice(by=make_user(roles=("town_admin",)), body_th="  ")


def test_every_portal_page_links_the_notice(in_town_a, client_a):
    connection.set_schema_to_public()
    for path in ("/", "/complaints/new/", "/food/", "/accounts/login/"):
        page = client_a.get(path)
        assert 'id="privacy-notice-link"' in page.content.decode(), path
    assert "ประกาศความเป็นส่วนตัว" in client_a.get("/privacy/").content.decode()


def test_export_has_everything_of_this_person_and_nothing_of_anyone_else(in_town_a, client_a):
    person = malee()
    other = b.citizen(first_name="สมชาย", phone="0861110002")
    _complaint(person, "ไฟถนนหน้าบ้านมาลีดับ")
    _complaint(other, "ขยะหน้าบ้านสมชาย")
    b.submitted_food(applicant=person)
    house = Payer.objects.create(code="H0032", name="มาลี ใจดี", national_id=ID)
    bill = make_invoice(payer=house, payer_name="มาลี ใจดี")
    record_counter_payment(invoice_id=bill.pk, amount=bill.outstanding, by=make_user(roles=("finance_officer",)))
    make_invoice(payer=Payer.objects.create(code="H0001", name="นายประเสริฐ", phone="0861110001"),
                 payer_name="นายประเสริฐ")
    client_a.force_login(person)
    connection.set_schema_to_public()
    response = client_a.get("/me/data/export.json")
    assert response.status_code == 200 and response["Content-Disposition"].endswith('my-data.json"')
    data = json.loads(response.content)
    assert data["account"]["national_id"] == ID
    assert [c["description"] for c in data["complaints"]] == ["ไฟถนนหน้าบ้านมาลีดับ"]
    assert len(data["applications"]) == 1 and len(data["receipts"]) == 1
    assert [bill_["payer_name"] for bill_ in data["bills"]] == ["มาลี ใจดี"]
    assert "สมชาย" not in response.content.decode() and "ประเสริฐ" not in response.content.decode()
    pdf = client_a.get("/me/data/export.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "ใจดี" in text and "ประเสริฐ" not in text
    connection.set_tenant(in_town_a)
    assert DataSubjectRequest.objects.filter(user=person, kind="access", status="done").count() == 2


def test_export_of_a_person_with_thousands_of_records(in_town_a):
    from services.payments.models import Invoice

    person = malee()
    house = Payer.objects.create(code="H0500", name="มาลี", national_id=ID)
    template = make_invoice(payer=house, payer_name="มาลี")
    Invoice.objects.bulk_create([
        Invoice(number=f"X{n:07d}", ref1=f"R{n:07d}", fiscal_year=template.fiscal_year, payer=house, payer_name="มาลี",
                source="test", source_id=f"bulk-{n}", issue_date=template.issue_date, due_date=template.due_date,
                total=template.total) for n in range(3000)])
    data = actions_export(person)
    assert len(data["bills"]) == 3001


def actions_export(person):
    from services.privacy.export import export_data

    return export_data(person)


def test_correction_request_goes_to_the_queue_with_a_30_day_deadline(in_town_a, client_a):
    person = malee()
    client_a.force_login(person)
    connection.set_schema_to_public()
    assert client_a.post("/me/data/ask/correction/", {"details": ""}).status_code == 302  # refused: says what
    connection.set_tenant(in_town_a)
    assert not DataSubjectRequest.objects.filter(kind="correction").exists()
    connection.set_schema_to_public()
    client_a.post("/me/data/ask/correction/", {"details": "นามสกุลสะกดผิด ที่ถูกคือ ใจดีมาก"})
    connection.set_tenant(in_town_a)
    request = DataSubjectRequest.objects.get(kind="correction")
    assert request.due_date == (timezone.localtime(request.received_at) + dt.timedelta(days=30)).date()
    with pytest.raises(ValidationError):
        actions.request_right(user=person, kind="correction", details="อีกครั้ง")  # one open at a time
    admin = make_user(roles=("town_admin",))
    staff = Client(HTTP_HOST="alpha.localhost")
    staff.force_login(admin)
    clerk = Client(HTTP_HOST="alpha.localhost")
    clerk.force_login(make_user(roles=("officer",)))
    connection.set_schema_to_public()
    assert clerk.get("/staff/privacy/").status_code == 403
    queue = staff.get("/staff/privacy/").content.decode()
    assert "ขอแก้ไขข้อมูล" in queue
    assert staff.post(f"/staff/privacy/{request.pk}/", {"action": "done", "outcome": ""}).status_code == 200
    assert staff.post(f"/staff/privacy/{request.pk}/",
                      {"action": "done", "outcome": "แก้ไขนามสกุลแล้ว"}).status_code == 302
    connection.set_tenant(in_town_a)
    request.refresh_from_db()
    assert request.status == "done" and request.handled_by == admin


def test_an_overdue_request_is_flagged(in_town_a):
    person = malee()
    request = DataSubjectRequest.objects.create(kind="correction", user=person, details="x",
                                                received_at=timezone.now() - dt.timedelta(days=31))
    assert request.is_overdue


def test_erasure_with_an_open_bill_is_refused_whole_with_the_reason(in_town_a):
    person = malee()
    complaint = _complaint(person, "ไฟดับ")
    make_invoice(payer=Payer.objects.create(code="H0032", name="มาลี ใจดี", national_id=ID), payer_name="มาลี ใจดี")
    request = actions.request_right(user=person, kind="erasure")
    with pytest.raises(ValidationError) as error:
        actions.erase(request_id=request.pk, by=make_user(roles=("town_admin",)))
    assert "ค้างชำระ" in " ".join(error.value.messages)
    person.refresh_from_db()
    complaint.refresh_from_db()
    assert person.first_name == "มาลี" and person.is_active and complaint.reporter_phone
    request.refresh_from_db()
    assert request.status == "open"


def test_erasure_anonymises_what_may_go_and_keeps_receipts_and_permits_with_reasons(in_town_a):
    person = malee()
    complaint = _complaint(person, "ไฟดับ")
    food = b.submitted_food(applicant=person)
    from services.casework import actions as case_actions

    case_actions.withdraw_case(case_id=food.pk, by=person, reason="ไม่เปิดร้านแล้ว")
    bill = make_invoice(payer=Payer.objects.create(code="H0032", name="มาลี ใจดี", national_id=ID), payer_name="มาลี ใจดี")
    receipt = record_counter_payment(invoice_id=bill.pk, amount=bill.outstanding,
                                     by=make_user(roles=("finance_officer",)))
    actions.record_consent(purpose="account", channel="digital_id", user=person)
    request = actions.request_right(user=person, kind="erasure")
    assert actions.erasure_plan(person).blockers == []
    actions.erase(request_id=request.pk, by=make_user(roles=("town_admin",)))
    person.refresh_from_db()
    complaint.refresh_from_db()
    assert (person.first_name, person.phone, person.email, person.national_id, person.is_active) == ("", "", "", "", False)
    assert complaint.reporter_phone == "" and complaint.reporter_user is None and complaint.reporter_name == actions.ERASED
    receipt.refresh_from_db()
    assert receipt.payer_name == "มาลี ใจดี"  # receipts are kept as issued
    food.refresh_from_db()
    assert food.applicant_name  # the notification is an official record
    request.refresh_from_db()
    assert request.status == "done" and "ระเบียบการรับเงิน" in request.outcome and "เอกสารราชการ" in request.outcome
    assert ConsentRecord.objects.filter(subject_reference=f"erased-user-{person.pk}").exists()
    assert not User.objects.filter(national_id=ID).exists()


def test_retention_removes_old_reporters_and_keeps_recent_ones(in_town_a):
    person = malee()
    old, recent = _complaint(person, "ถนนหน้าบ้านเป็นหลุมลึกมานานแล้ว"), _complaint(person, "ไฟทางดับหลายดวงตลอดซอย")
    three_years_ago = timezone.now() - dt.timedelta(days=3 * 365)
    Complaint.objects.filter(pk__in=[old.pk, recent.pk]).update(status="closed")
    Complaint.objects.filter(pk=old.pk).update(received_at=three_years_ago, updated_at=three_years_ago)
    done = apply_retention()
    assert done["complaint"] == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.reporter_phone == "" and recent.reporter_phone


def test_pdpa_pages_of_one_town_are_not_another_towns(in_town_a, client_b):
    person = malee()
    actions.request_right(user=person, kind="correction", details="x")
    connection.set_tenant(in_town_a)
    connection.set_schema_to_public()
    admin_b = Client(HTTP_HOST="beta.localhost")
    from tenants.models import Municipality

    connection.set_tenant(Municipality.objects.get(slug="beta"))
    admin_b.force_login(make_user(roles=("town_admin",)))
    connection.set_schema_to_public()
    assert "ขอแก้ไขข้อมูล" not in admin_b.get("/staff/privacy/").content.decode()
    assert PrivacyNotice.objects.model._meta.app_label == "privacy"


def test_retention_blanks_old_messages_and_keeps_their_figures(in_town_a):
    from decimal import Decimal

    from services.common.models import OutboxMessage

    def message(key, *, days, status):
        row = OutboxMessage.objects.create(idempotency_key=key, channel="sms", recipient="0812345678",
                                           body="เลขติดตามเรื่อง BSR-1", status=status, segments=1, cost=Decimal("0.35"))
        OutboxMessage.objects.filter(pk=row.pk).update(created_at=timezone.now() - dt.timedelta(days=days))
        return row

    message("m-old", days=400, status="sent")
    message("m-wait", days=400, status="pending")
    message("m-new", days=30, status="sent")
    assert apply_retention()["message"] == 1
    kept = {m.idempotency_key: m for m in OutboxMessage.objects.all()}
    assert (kept["m-old"].recipient, kept["m-old"].body) == ("", "")
    assert (kept["m-old"].segments, kept["m-old"].cost, kept["m-old"].status) == (1, Decimal("0.35"), "sent")
    assert kept["m-wait"].recipient and kept["m-new"].recipient  # still to send, or within the year
    assert apply_retention()["message"] == 0  # nothing twice
