"""Referral: the neighbour's offer at intake, a case referred to another town through the exchange
(only the listed fields cross, the original follows the copy, a decline returns it), referral to
outside agencies with follow-up reminders, and the bad-input cases."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from api.tokens import issue_token
from services.common.models import OutboxMessage
from services.complaints import actions, referrals
from services.complaints.models import Complaint, ComplaintEvent, Referral, ReferralAgency
from services.complaints.workflow import ComplaintStatus
from services.exchange import actions as exchange
from services.exchange.models import ExchangeMessage, MessageStatus
from tests.factories import make_user

from .conftest import OUTSIDE_A, make_filing, photo_upload

pytestmark = pytest.mark.django_db
S = ComplaintStatus


def _accepted_case(category, staff, **overrides):
    complaint = actions.submit_complaint(
        filing=make_filing(category, **overrides), uploads=[photo_upload()], ip="203.0.113.7"
    )
    actions.accept_complaint(complaint_id=complaint.pk, by=staff["oss"])
    complaint.refresh_from_db()
    return complaint


def _referred(town_a, town_b, category, staff, *, share_contact=False, **overrides):
    complaint = _accepted_case(category, staff, **overrides)
    referral = referrals.refer_to_town(
        complaint_id=complaint.pk,
        by=staff["oss"],
        town_code=town_b.lao_code,
        reason="ถนนเส้นนี้อยู่ในความดูแลของเบตา",
        share_contact=share_contact,
    )
    message = ExchangeMessage.objects.get(public_id=referral.exchange_message_id)
    return complaint, referral, message


def _deliver_all(town):
    """Deliver every queued message (in any direction) as the worker would; back to `town`."""
    for _round in range(5):
        queued = list(
            ExchangeMessage.objects.filter(status=MessageStatus.QUEUED).order_by("pk").values_list("pk", flat=True)
        )
        if not queued:
            break
        for pk in queued:
            exchange.deliver(pk)
    connection.set_tenant(town)


def _copy_in(town_b, message) -> Complaint:
    connection.set_tenant(town_b)
    return Complaint.objects.get(exchange_message_id=message.public_id)


def _grant_tracking(client, complaint):
    response = client.post(
        "/complaints/track/", {"tracking_code": complaint.tracking_code, "phone_last4": complaint.phone_last4}
    )
    assert response.status_code == 302


# --- intake --------------------------------------------------------------------------------------


def test_a_pin_across_the_border_offers_the_neighbour_with_pin_and_category(client_a, client_b, category):
    response = client_a.post(
        "/complaints/new/",
        {
            "category": category.pk,
            "description": "ไฟถนนดับทั้งซอย มืดมาก",
            "latitude": str(OUTSIDE_A[0]),
            "longitude": str(OUTSIDE_A[1]),
            "reporter_name": "สมหญิง",
            "reporter_phone": "0812223333",
            "consent": "on",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "เรื่องนี้อยู่ในพื้นที่ของเทศบาลตำบลเบตา — แจ้งที่เทศบาลตำบลเบตา" in page
    link = "http://beta.localhost/complaints/new/?lat=12.800000&amp;lon=100.900000&amp;category=road"
    assert link in page
    assert "ไฟถนนดับ" not in page.split("neighbour-offer")[1].split("</div>")[0]  # no description in the link
    assert not Complaint.objects.exists()  # nothing filed here
    # The neighbour's filing page reads the pin and the category from the link.
    response = client_b.get("/complaints/new/?lat=12.800000&lon=100.900000&category=road")
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["latitude"] == "12.800000"
    assert form.initial["longitude"] == "100.900000"
    assert form.initial["category"].code == "road"
    assert 'value="12.800000"' in response.content.decode()


def test_no_offer_for_a_pin_in_no_town_and_garbage_in_the_link_is_ignored(client_a, client_b, category):
    response = client_a.post(
        "/complaints/new/",
        {
            "category": category.pk,
            "description": "มีขยะลอยในทะเล",
            "latitude": "12.500000",
            "longitude": "100.500000",
            "reporter_name": "สมหญิง",
            "reporter_phone": "0812223333",
            "consent": "on",
        },
    )
    assert response.status_code == 400
    assert "neighbour-offer" not in response.content.decode()
    response = client_b.get("/complaints/new/?lat=NaN&lon=abc&category=no-such-code")
    assert response.status_code == 200
    assert response.context["form"].initial == {}


def test_staff_filing_across_the_border_names_the_neighbour(client_a, town_b, category, staff):
    client_a.force_login(staff["oss"])
    response = client_a.post(
        "/complaints/staff/new/",
        {
            "channel": "phone",
            "category": category.pk,
            "description": "โทรแจ้งถนนชำรุด",
            "latitude": str(OUTSIDE_A[0]),
            "longitude": str(OUTSIDE_A[1]),
            "reporter_name": "ผู้โทรแจ้ง",
            "reporter_phone": "0812340000",
            "consent": "on",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="neighbour-offer"' in body and town_b.name_th in body
    assert f"http://{town_b.slug}.localhost" in body
    assert not Complaint.objects.exists()


def test_open311_post_outside_names_the_neighbour(in_town_a, category):
    admin = make_user(roles=("town_admin",))
    _client, key = actions.issue_open311_key(name="app", by=admin)
    from tests.clients import SchemaKeepingClient

    api = SchemaKeepingClient("alpha.localhost")
    response = api.post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": "road",
            "lat": "12.80",
            "long": "100.90",
            "description": "หลุมใหญ่กลางถนน",
            "first_name": "Anan",
            "last_name": "S",
            "phone": "0812345678",
        },
    )
    assert response.status_code == 400
    body = json.loads(response.content)[0]
    assert body["code"] == 400
    assert "เทศบาลตำบลเบตา" in body["description"]
    assert "beta.localhost/open311/v2/requests.json" in body["description"]
    assert not Complaint.objects.exists()


# --- refer to another town -----------------------------------------------------------------------


def test_referral_copies_only_the_listed_fields_and_stops_the_clock(town_a, town_b, category, staff):
    complaint, referral, message = _referred(town_a, town_b, category, staff)
    assert set(message.payload) <= referrals.REFERRAL_FIELDS
    assert not {"reporter_name", "reporter_phone", "reporter_email"} & set(message.payload)
    assert message.attachments.count() == 1
    complaint.refresh_from_db()
    assert complaint.status == S.REFERRED
    assert complaint.due_at is None
    later = timezone.now() + dt.timedelta(days=60)
    assert not Complaint.objects.overdue(later).filter(pk=complaint.pk).exists()
    assert complaint.events.filter(kind=ComplaintEvent.Kind.REFERRAL, is_public=True, text="ส่งต่อให้เทศบาลตำบลเบตา")
    assert referral.status == Referral.Status.SENDING

    _deliver_all(town_a)
    copy = _copy_in(town_b, message)
    assert copy.channel == Complaint.Channel.REFERRAL
    assert copy.referred_from_code == town_a.lao_code
    assert copy.referred_from_tracking_code == complaint.tracking_code
    assert copy.tracking_code.startswith("BET-")
    assert copy.description == complaint.description
    assert copy.category.code == "road"
    assert (copy.latitude, copy.longitude) == (complaint.latitude, complaint.longitude)
    # No personal data crossed without the reporter's agreement.
    assert copy.reporter_name == copy.reporter_phone == copy.reporter_email == ""
    assert copy.is_anonymous
    assert copy.photos.count() == 1
    assert copy.due_at is not None
    # Town B cannot read town A's case: it is not in B's schema, and B's tracking page does not know it.
    assert not Complaint.objects.filter(tracking_code=complaint.tracking_code).exists()
    assert not ComplaintEvent.objects.filter(text__contains="ถนนเส้นนี้อยู่ในความดูแลของเบตา", complaint__channel="web")
    connection.set_tenant(town_a)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.DELIVERED
    assert referral.remote_tracking_code == copy.tracking_code
    assert referral.remote_status == S.RECEIVED


def test_a_referred_case_cannot_be_pulled_back_by_the_ordinary_buttons(town_a, town_b, category, staff, client_a):
    """Found trying the demo: "accept" on a referred case moved it back to accepted, and a second
    referral then made a second copy in the other town. Only the referral actions leave `referred`."""
    from services.common.workflow import TransitionNotAllowed

    complaint, _referral, _message = _referred(town_a, town_b, category, staff)
    for attempt in (
        lambda: actions.accept_complaint(complaint_id=complaint.pk, by=staff["oss"]),
        lambda: actions.assign_complaint(complaint_id=complaint.pk, by=staff["oss"], officer=staff["officer"]),
        lambda: referrals.refer_to_town(
            complaint_id=complaint.pk, by=staff["oss"], town_code=town_b.lao_code, reason="อีกครั้ง"
        ),
    ):
        with pytest.raises((TransitionNotAllowed, PermissionDenied)):
            attempt()
    complaint.refresh_from_db()
    assert complaint.status == S.REFERRED
    assert Referral.objects.filter(complaint=complaint).count() == 1
    assert ExchangeMessage.objects.filter(kind=referrals.REFERRAL_KIND).count() == 1
    # The case page offers none of those buttons, and a forged POST is refused without a change.
    client_a.force_login(staff["oss"])
    page = client_a.get(f"/complaints/staff/{complaint.pk}/").content.decode()
    assert 'id="accept-button"' not in page and 'id="assign-button"' not in page
    assert 'id="refer-town-button"' not in page
    response = client_a.post(f"/complaints/staff/{complaint.pk}/accept/", {})
    assert response.status_code < 500  # the page answers with its usual "not allowed" message
    complaint.refresh_from_db()
    assert complaint.status == S.REFERRED


def test_open311_names_the_town_a_referred_request_went_to(town_a, town_b, category, staff, client_a):
    complaint, _referral, _message = _referred(town_a, town_b, category, staff)
    response = client_a.get(f"/open311/v2/requests/{complaint.tracking_code}.json")
    assert response.status_code == 200
    [row] = response.json()
    assert row["agency_responsible"] == town_b.name_th
    assert row["status"] == "open"
    assert "ส่งต่อให้" in row["status_notes"]
    assert "ถนนเส้นนี้อยู่ในความดูแลของเบตา" not in response.content.decode()  # the reason stays internal


def test_a_referral_that_cannot_be_delivered_comes_back_instead_of_waiting_forever(
    town_a, town_b, category, staff
):
    """The receiving town stays suspended through every retry: the exchange gives up, and the case
    returns to the OSS centre's triage with its clock restarted; nothing was created in town B."""
    from services.exchange.actions import MAX_ATTEMPTS

    complaint, referral, message = _referred(town_a, town_b, category, staff)
    connection.set_schema_to_public()
    town_b.status = "suspended"
    town_b.save()
    ExchangeMessage.objects.filter(pk=message.pk).update(attempts=MAX_ATTEMPTS - 1)
    assert exchange.deliver(message.pk) == MessageStatus.FAILED
    assert exchange.deliver(message.pk) == MessageStatus.FAILED  # told again: changes nothing
    connection.set_tenant(town_a)
    complaint.refresh_from_db()
    referral.refresh_from_db()
    assert complaint.status == S.ACCEPTED and complaint.due_at is not None
    assert referral.status == Referral.Status.FAILED
    assert complaint.events.filter(to_status=S.ACCEPTED, from_status=S.REFERRED).count() == 1
    connection.set_schema_to_public()
    town_b.status = "live"
    town_b.save()
    connection.set_tenant(town_b)
    assert not Complaint.objects.filter(exchange_message_id=message.public_id).exists()
    connection.set_tenant(town_a)


def test_contact_crosses_only_when_the_reporter_agreed(town_a, town_b, category, staff):
    _complaint, _referral, message = _referred(town_a, town_b, category, staff, share_contact=True)
    assert message.payload["reporter_phone"] == "0812345678"
    _deliver_all(town_a)
    copy = _copy_in(town_b, message)
    assert copy.reporter_name == "สมชาย ใจดี"
    assert copy.reporter_phone == "0812345678"
    assert not copy.is_anonymous
    connection.set_tenant(town_a)
    _c2, _r2, anonymous = _referred(town_a, town_b, category, staff, share_contact=True, is_anonymous=True)
    assert "reporter_phone" not in anonymous.payload and "reporter_name" not in anonymous.payload


def test_original_tracking_page_follows_the_copy(town_a, town_b, category, staff, client_a):
    complaint, _referral, message = _referred(town_a, town_b, category, staff)
    _deliver_all(town_a)
    copy = _copy_in(town_b, message)
    oss_b = make_user(roles=("oss_officer",))
    actions.accept_complaint(complaint_id=copy.pk, by=oss_b)
    _deliver_all(town_a)
    _grant_tracking(client_a, complaint)
    page = client_a.get(f"/complaints/track/{complaint.tracking_code}/").content.decode()
    assert "ส่งต่อให้เทศบาลตำบลเบตา" in page
    assert f'<strong id="remote-code">{copy.tracking_code}</strong>' in page
    assert '<span class="badge" id="remote-status">รับเรื่องพิจารณา</span>' in page
    assert f"http://beta.localhost/complaints/track/?code={copy.tracking_code}" in page


def test_progress_out_of_order_keeps_the_latest_status(town_a, town_b, category, staff):
    _complaint, referral, message = _referred(town_a, town_b, category, staff)
    _deliver_all(town_a)
    newer = timezone.now() + dt.timedelta(hours=1)
    older = timezone.now() - dt.timedelta(hours=1)
    for status, when in ((S.IN_PROGRESS, newer), (S.ACCEPTED, older)):
        fake = ExchangeMessage(
            kind=referrals.PROGRESS_KIND,
            sender_code=town_b.lao_code,
            recipient_code=town_a.lao_code,
            payload={"referral": str(message.public_id), "status": status, "changed_at": when.isoformat()},
        )
        referrals.receive_progress(fake)
    referral.refresh_from_db()
    assert referral.remote_status == S.IN_PROGRESS


def test_progress_arriving_before_the_acknowledgement_marks_the_referral_delivered_once(
    town_a, town_b, category, staff
):
    """The receiving town's first progress report and its acknowledgement are two messages; the
    progress may be delivered first (seen with a busy worker). Either one marks the referral
    delivered with the copy's code, and the timeline says so once."""
    complaint, referral, message = _referred(town_a, town_b, category, staff)
    progress = ExchangeMessage(
        kind=referrals.PROGRESS_KIND,
        sender_code=town_b.lao_code,
        recipient_code=town_a.lao_code,
        payload={
            "referral": str(message.public_id),
            "tracking_code": "BTA-2569-000042",
            "status": S.ACCEPTED,
            "changed_at": timezone.now().isoformat(),
        },
    )
    referrals.receive_progress(progress)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.DELIVERED
    assert referral.remote_tracking_code == "BTA-2569-000042"
    message.status, message.recipient_reference = MessageStatus.REGISTERED, "BTA-2569-000042"
    referrals.referral_acknowledged(message)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.DELIVERED
    lines = complaint.events.filter(kind=ComplaintEvent.Kind.REFERRAL, text__contains="BTA-2569-000042")
    assert lines.count() == 1


def test_decline_returns_the_case_and_declining_twice_is_refused(town_a, town_b, category, staff):
    complaint, referral, message = _referred(town_a, town_b, category, staff)
    _deliver_all(town_a)
    copy = _copy_in(town_b, message)
    oss_b = make_user(roles=("oss_officer",))
    referrals.decline_referral(complaint_id=copy.pk, by=oss_b, reason="จุดนี้เป็นถนนของกรมทางหลวง")
    copy.refresh_from_db()
    assert copy.status == S.REJECTED
    with pytest.raises(ValidationError) as refused:
        referrals.decline_referral(complaint_id=copy.pk, by=oss_b, reason="อีกครั้ง")
    assert "already declined" in refused.value.message_dict["reason"][0]
    _deliver_all(town_a)
    complaint.refresh_from_db()
    assert complaint.status == S.ACCEPTED
    assert complaint.due_at is not None  # the clock runs again
    referral.refresh_from_db()
    assert referral.status == Referral.Status.DECLINED
    assert referral.decline_reason == "จุดนี้เป็นถนนของกรมทางหลวง"
    back = complaint.events.filter(to_status=S.ACCEPTED).last()
    assert back.by is None and "จุดนี้เป็นถนนของกรมทางหลวง" in back.text
    # The same decline delivered again changes nothing.
    before = complaint.events.count()
    for m in ExchangeMessage.objects.filter(kind=referrals.PROGRESS_KIND, payload__status=S.REJECTED):
        referrals.receive_progress(m)
    assert complaint.events.count() == before


def test_a_case_not_referred_to_us_cannot_be_declined(in_town_a, category, staff):
    complaint = _accepted_case(category, staff)
    with pytest.raises(ValidationError):
        referrals.decline_referral(complaint_id=complaint.pk, by=staff["oss"], reason="ไม่ใช่ของเรา")


@pytest.mark.parametrize("which", ["unknown", "suspended", "self", "blank"])
def test_refer_to_unknown_suspended_or_own_town_writes_nothing(town_a, town_b, category, staff, which):
    complaint = _accepted_case(category, staff)
    events = complaint.events.count()
    code = {"unknown": "09999999", "suspended": town_b.lao_code, "self": town_a.lao_code, "blank": ""}[which]
    if which == "suspended":
        connection.set_schema_to_public()
        town_b.status = "suspended"
        town_b.save()
        connection.set_tenant(town_a)
    with pytest.raises(ValidationError) as refused:
        referrals.refer_to_town(complaint_id=complaint.pk, by=staff["oss"], town_code=code, reason="ส่งต่อ")
    assert "town" in refused.value.error_dict
    complaint.refresh_from_db()
    assert complaint.status == S.ACCEPTED
    assert complaint.events.count() == events
    assert not Referral.objects.exists()
    assert not ExchangeMessage.objects.exists()


def test_refer_needs_triage_permission_and_a_reason(in_town_a, town_b, category, staff):
    complaint = _accepted_case(category, staff)
    with pytest.raises(PermissionDenied):
        referrals.refer_to_town(
            complaint_id=complaint.pk, by=staff["officer"], town_code=town_b.lao_code, reason="ส่งต่อ"
        )
    with pytest.raises(ValidationError):
        referrals.refer_to_town(complaint_id=complaint.pk, by=staff["oss"], town_code=town_b.lao_code, reason=" ")
    assert not ExchangeMessage.objects.exists()


def test_progress_from_another_town_is_ignored(town_a, town_b, category, staff):
    """Cross-tenant: only the town a case was referred to may report on it."""
    complaint, referral, message = _referred(town_a, town_b, category, staff)
    forged = ExchangeMessage(
        kind=referrals.PROGRESS_KIND,
        sender_code="05209977",
        recipient_code=town_a.lao_code,
        payload={"referral": str(message.public_id), "status": S.REJECTED, "note": "ไม่รับ"},
    )
    referrals.receive_progress(forged)
    complaint.refresh_from_db()
    referral.refresh_from_db()
    assert complaint.status == S.REFERRED
    assert referral.remote_status == ""


# --- API -------------------------------------------------------------------------------------------


class _Api(APIClient):
    def request(self, **request):
        tenant, schema = getattr(connection, "tenant", None), connection.schema_name
        try:
            return super().request(**request)
        finally:
            if tenant is not None and schema != "public":
                connection.set_tenant(tenant)


def _api_as(user, host: str) -> APIClient:
    client = _Api(HTTP_HOST=host)
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(user)}")
    return client


def test_api_refer_and_decline(town_a, town_b, category, staff):
    complaint = _accepted_case(category, staff)
    api_a = _api_as(staff["oss"], "alpha.localhost")
    url = f"/api/v1/oss/complaints/{complaint.pk}/refer/"
    refused = api_a.post(url, {"target": "town", "town_code": "09999999", "reason": "ส่งต่อ"}, format="json")
    assert refused.status_code == 400
    assert not Referral.objects.exists()
    response = api_a.post(url, {"target": "town", "town_code": town_b.lao_code, "reason": "ส่งต่อ"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "referred"
    again = api_a.post(url, {"target": "town", "town_code": town_b.lao_code, "reason": "ส่งต่อ"}, format="json")
    assert again.status_code == 409
    _deliver_all(town_a)
    message = ExchangeMessage.objects.get(kind=referrals.REFERRAL_KIND)
    copy = _copy_in(town_b, message)
    api_b = _api_as(make_user(roles=("oss_officer",)), "beta.localhost")
    staff_b = make_user(roles=("oss_officer",))
    from tests.clients import SchemaKeepingClient

    pages_b = SchemaKeepingClient("beta.localhost")
    pages_b.force_login(staff_b)
    panel = pages_b.get(f"/complaints/staff/{copy.pk}/").content.decode()
    assert "เรื่องนี้ส่งต่อมาจาก <strong>เทศบาลตำบลอัลฟา</strong>" in panel
    assert 'id="decline-button"' in panel
    decline = f"/api/v1/oss/complaints/{copy.pk}/decline/"
    assert api_b.post(decline, {"reason": "ไม่ใช่พื้นที่เรา"}, format="json").status_code == 200
    assert api_b.post(decline, {"reason": "ซ้ำ"}, format="json").status_code == 400


# --- outside agencies -------------------------------------------------------------------------------


@pytest.fixture
def agency(in_town_a):
    return ReferralAgency.objects.create(name_th="การไฟฟ้าส่วนภูมิภาค (PEA)", kind="electricity", phone="038-000-101")


def test_agency_referral_shows_on_tracking_page_and_reminds_once(in_town_a, category, staff, agency, client_a):
    complaint = _accepted_case(category, staff)
    staff["oss"].email = "oss@example.org"
    staff["oss"].save()
    today = timezone.now().date()
    referrals.refer_to_agency(
        complaint_id=complaint.pk,
        by=staff["oss"],
        agency_id=agency.pk,
        reason="เสาไฟฟ้าของ PEA",
        agency_reference="PEA-123",
        follow_up_on=today + dt.timedelta(days=3),
    )
    complaint.refresh_from_db()
    assert complaint.status == S.REFERRED and complaint.due_at is None
    _grant_tracking(client_a, complaint)
    page = client_a.get(f"/complaints/track/{complaint.tracking_code}/").content.decode()
    assert "ส่งต่อให้การไฟฟ้าส่วนภูมิภาค (PEA)" in page
    assert "PEA-123" not in page  # the agency's reference is for staff
    reminders = OutboxMessage.objects.filter(recipient="oss@example.org", body__contains="PEA-123")
    assert referrals.remind_follow_ups(today=today) == 0  # not due yet
    assert referrals.remind_follow_ups(today=today + dt.timedelta(days=3)) == 1
    assert referrals.remind_follow_ups(today=today + dt.timedelta(days=3)) == 0
    assert referrals.remind_follow_ups(today=today + dt.timedelta(days=4)) == 0
    assert reminders.count() == 1
    assert Referral.objects.get().reminded_on == today + dt.timedelta(days=3)


def test_agency_result_resolves_and_take_back_returns_to_triage(in_town_a, category, staff, agency):
    first = _accepted_case(category, staff)
    referrals.refer_to_agency(complaint_id=first.pk, by=staff["oss"], agency_id=agency.pk, reason="ของ PEA")
    # Road needs an "after" photo: the agency's word alone does not resolve it (no ghost fix by proxy).
    with pytest.raises(ValidationError):
        referrals.record_agency_result(complaint_id=first.pk, by=staff["head"], result="PEA เปลี่ยนหลอดไฟแล้ว")
    first.refresh_from_db()
    assert first.status == S.REFERRED and not first.photos.filter(kind="after").exists()
    referrals.record_agency_result(
        complaint_id=first.pk, by=staff["head"], result="PEA เปลี่ยนหลอดไฟแล้ว", after_photos=[photo_upload()]
    )
    first.refresh_from_db()
    assert first.status == S.RESOLVED and first.resolved_by == staff["head"]
    assert not first.resolved_without_photo and first.photos.filter(kind="after").count() == 1
    assert Referral.objects.get(complaint=first).status == Referral.Status.DONE
    second = _accepted_case(category, staff)
    referrals.refer_to_agency(complaint_id=second.pk, by=staff["oss"], agency_id=agency.pk, reason="ของ PEA")
    referrals.take_back_referral(complaint_id=second.pk, by=staff["oss"], reason="PEA ไม่ตอบ")
    second.refresh_from_db()
    assert second.status == S.ACCEPTED and second.due_at is not None
    with pytest.raises(ValidationError):
        referrals.take_back_referral(complaint_id=second.pk, by=staff["oss"], reason="อีกครั้ง")


def test_agency_referral_bad_input(in_town_a, category, staff, agency):
    complaint = _accepted_case(category, staff)
    yesterday = timezone.now().date() - dt.timedelta(days=1)
    for kwargs in (
        {"agency_id": 999999, "reason": "ส่งต่อ"},
        {"agency_id": agency.pk, "reason": ""},
        {"agency_id": agency.pk, "reason": "ส่งต่อ", "follow_up_on": yesterday},
    ):
        with pytest.raises(ValidationError):
            referrals.refer_to_agency(complaint_id=complaint.pk, by=staff["oss"], **kwargs)
    complaint.refresh_from_db()
    assert complaint.status == S.ACCEPTED
    assert not Referral.objects.exists()


def test_agency_directory_is_per_town(in_town_a, town_b, agency):
    connection.set_tenant(town_b)
    assert not ReferralAgency.objects.filter(name_th=agency.name_th).exists()


# --- staff pages ----------------------------------------------------------------------------------------


def test_staff_panel_refers_and_agency_page_needs_settings_permission(town_b, category, staff, agency, client_a):
    complaint = _accepted_case(category, staff)
    client_a.force_login(staff["oss"])
    page = client_a.get(f"/complaints/staff/{complaint.pk}/").content.decode()
    assert "ส่งต่อ (Refer)" in page
    assert f'<option value="{town_b.lao_code}">เทศบาลตำบลเบตา</option>' in page
    assert agency.name_th in page
    response = client_a.post(
        f"/complaints/staff/{complaint.pk}/refer/town/", {"town_code": town_b.lao_code, "reason": "ของเบตา"}
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == S.REFERRED
    assert client_a.get("/complaints/staff/settings/agencies/").status_code == 403
    client_a.force_login(staff["admin"])
    assert client_a.get("/complaints/staff/settings/agencies/").status_code == 200
    response = client_a.post(
        "/complaints/staff/settings/agencies/",
        {"name_th": "สถานีตำรวจภูธรทดสอบ", "kind": "police", "phone": "038-000-104", "is_active": "on"},
    )
    assert response.status_code == 302
    assert ReferralAgency.objects.filter(name_th="สถานีตำรวจภูธรทดสอบ", kind="police").exists()


def test_a_town_outside_the_province_list_is_reached_by_its_lao_code(town_a, town_b, category, staff, client_a):
    complaint = _accepted_case(category, staff)
    client_a.force_login(staff["oss"])
    response = client_a.post(
        f"/complaints/staff/{complaint.pk}/refer/town/",
        {"town_code": "", "other_town_code": f" {town_b.lao_code} ", "reason": "อยู่ในเขตเบตา"},
    )
    assert response.status_code == 302
    referral = Referral.objects.get(complaint=complaint)
    assert referral.to_town_code == town_b.lao_code


def test_an_agency_fix_asks_the_reporter_to_confirm_like_the_towns_own(in_town_a, category, staff, agency):
    complaint = _accepted_case(category, staff)
    referrals.refer_to_agency(complaint_id=complaint.pk, by=staff["oss"], agency_id=agency.pk, reason="ของ PEA")
    referrals.record_agency_result(
        complaint_id=complaint.pk, by=staff["head"], result="PEA ซ่อมแล้ว", after_photos=[photo_upload()]
    )
    complaint.refresh_from_db()
    sms = OutboxMessage.objects.filter(channel="sms", recipient=complaint.reporter_phone).order_by("-pk").first()
    assert f"/complaints/t/{complaint.access_token}/" in sms.body
    assert complaint.resolution_working_hours is not None
