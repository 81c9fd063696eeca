""" "Me too" (ฉันก็เจอปัญหานี้): signed-in or phone-verified, once per person, rate-limited, only on
open board cases; supporters hear of status changes; triage sees and sorts by the count."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from services.common import phone_verification
from services.common.models import OutboxMessage
from services.complaints import actions, board, selectors
from services.complaints.models import Complaint, ComplaintEvent, Supporter
from tests.factories import make_user

from .conftest import file_complaint, photo_upload
from .test_public_board import board_category, enable_board  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

SUPPORTER_PHONE = "0891112222"


def _code_sent_to(phone: str) -> str:
    message = OutboxMessage.objects.filter(recipient=phone, idempotency_key__startswith="otp:").latest("pk")
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def _verify_and_support(client, complaint: Complaint, phone: str = SUPPORTER_PHONE):
    url = f"/complaints/board/{complaint.pk}/me-too/"
    first = client.post(url, {"phone": phone})
    assert first.status_code == 200
    assert "ส่งรหัสยืนยันทาง SMS แล้ว" in first.content.decode()
    return client.post(url, {"phone": phone, "code": _code_sent_to(phone)})


@pytest.fixture
def open_case(board_category) -> Complaint:  # noqa: F811
    enable_board()
    return file_complaint(board_category)


def test_signed_in_citizen_supports_once(client_a, open_case):
    citizen = make_user(kind="citizen", phone="0861234567")
    client_a.force_login(citizen)
    url = f"/complaints/board/{open_case.pk}/me-too/"
    response = client_a.post(url)
    assert response.status_code == 302
    open_case.refresh_from_db()
    assert open_case.supporter_count == 1
    supporter = Supporter.objects.get(complaint=open_case)
    assert (supporter.user_id, supporter.phone, supporter.notify) == (citizen.pk, "0861234567", True)
    event = open_case.events.get(kind=ComplaintEvent.Kind.SUPPORT)
    assert not event.is_public and "0861234567" not in event.text
    # again: idempotent, a friendly message, no second row
    again = client_a.post(url, follow=True)
    assert again.status_code == 200
    assert "แจ้งว่าพบปัญหานี้ไว้แล้ว" in again.content.decode()
    open_case.refresh_from_db()
    assert open_case.supporter_count == 1
    assert Supporter.objects.filter(complaint=open_case).count() == 1


def test_by_phone_with_a_one_time_code(client_a, open_case):
    response = _verify_and_support(client_a, open_case)
    assert response.status_code == 302
    open_case.refresh_from_db()
    assert open_case.supporter_count == 1
    assert Supporter.objects.get(complaint=open_case).phone == SUPPORTER_PHONE
    # the code itself is never stored in the clear: only the SMS carries it
    assert OutboxMessage.objects.filter(recipient=SUPPORTER_PHONE, channel="sms").count() == 1
    # the same phone again (verified in this session): already supported
    again = client_a.post(f"/complaints/board/{open_case.pk}/me-too/", follow=True)
    assert "แจ้งว่าพบปัญหานี้ไว้แล้ว" in again.content.decode()
    open_case.refresh_from_db()
    assert open_case.supporter_count == 1


def test_same_phone_from_another_browser_is_idempotent(client_a, open_case):
    from tests.clients import SchemaKeepingClient

    _verify_and_support(client_a, open_case)
    other = SchemaKeepingClient("alpha.localhost")
    response = _verify_and_support(other, open_case)
    assert response.status_code == 302
    open_case.refresh_from_db()
    assert open_case.supporter_count == 1


def test_the_reporter_is_not_counted_as_a_supporter(client_a, open_case):
    response = _verify_and_support(client_a, open_case, phone=open_case.reporter_phone)
    assert response.status_code == 302
    open_case.refresh_from_db()
    assert open_case.supporter_count == 0


def test_wrong_codes_five_times_kill_the_code(client_a, open_case):
    url = f"/complaints/board/{open_case.pk}/me-too/"
    client_a.post(url, {"phone": SUPPORTER_PHONE})
    right = _code_sent_to(SUPPORTER_PHONE)
    wrong = "000000" if right != "000000" else "111111"
    for _attempt in range(5):
        response = client_a.post(url, {"phone": SUPPORTER_PHONE, "code": wrong})
        assert response.status_code == 400
    response = client_a.post(url, {"phone": SUPPORTER_PHONE, "code": right})
    assert response.status_code == 400
    assert "ขอรหัสใหม่" in response.content.decode()
    open_case.refresh_from_db()
    assert open_case.supporter_count == 0


def test_code_expires(open_case):
    phone_verification.send_code(phone=SUPPORTER_PHONE, purpose="t")
    code = _code_sent_to(SUPPORTER_PHONE)
    import datetime as dt

    import time_machine

    with time_machine.travel(dt.timedelta(seconds=phone_verification.CODE_SECONDS + 1)):  # 10 minutes later
        assert (
            phone_verification.check_code(phone=SUPPORTER_PHONE, purpose="t", code=code)
            is phone_verification.Check.EXPIRED
        )


@pytest.mark.parametrize("phone", ["", "12345", "<script>", "0" * 30])
def test_bad_phone_is_a_400(client_a, open_case, phone):
    response = client_a.post(f"/complaints/board/{open_case.pk}/me-too/", {"phone": phone})
    assert response.status_code == 400
    assert not OutboxMessage.objects.filter(idempotency_key__startswith="otp:").exists()


def test_flood_from_one_ip_is_429_and_counts_stop(client_a, open_case):
    enable_board(supports_per_ip_per_hour=3)
    statuses = []
    for n in range(5):
        client_a.force_login(make_user(kind="citizen", phone=f"08612300{n:02d}"))
        statuses.append(client_a.post(f"/complaints/board/{open_case.pk}/me-too/").status_code)
    assert statuses == [302, 302, 302, 429, 429]
    open_case.refresh_from_db()
    assert open_case.supporter_count == 3
    assert Supporter.objects.filter(complaint=open_case).count() == 3


def test_flood_from_one_phone_across_cases_is_429(open_case, board_category):  # noqa: F811
    enable_board(supports_per_phone_per_day=2)
    cases = [open_case] + [file_complaint(board_category, reporter_phone=f"08111100{n:02d}") for n in range(2)]
    results = []
    for case in cases:
        try:
            board.support_complaint(complaint_id=case.pk, phone=SUPPORTER_PHONE, ip=f"198.51.100.{case.pk % 250}")
            results.append("ok")
        except board.SupportRateLimited:
            results.append("429")
    assert results == ["ok", "ok", "429"]
    assert Complaint.objects.filter(pk=cases[2].pk, supporter_count=0).exists()


def test_closed_case_cannot_be_supported(client_a, open_case, staff):
    actions.assign_complaint(complaint_id=open_case.pk, by=staff["head"], officer=staff["officer"])
    actions.resolve_complaint(
        complaint_id=open_case.pk, by=staff["officer"], reply="เสร็จแล้ว", after_photos=[photo_upload()]
    )
    citizen = make_user(kind="citizen", phone="0861234567")
    client_a.force_login(citizen)
    response = client_a.post(f"/complaints/board/{open_case.pk}/me-too/")
    assert response.status_code == 409
    assert "This case is closed" in response.content.decode()
    with pytest.raises(board.CaseClosed):
        board.support_complaint(complaint_id=open_case.pk, user=citizen)
    open_case.refresh_from_db()
    assert open_case.supporter_count == 0


def test_supporters_hear_of_status_changes_and_can_stop(client_a, open_case, staff):
    _verify_and_support(client_a, open_case)
    supporter = Supporter.objects.get(complaint=open_case)
    actions.accept_complaint(complaint_id=open_case.pk, by=staff["oss"])
    sms = OutboxMessage.objects.filter(recipient=SUPPORTER_PHONE, idempotency_key__contains=f":sup{supporter.pk}:")
    assert sms.count() == 1
    body = sms.get().body
    assert f"/complaints/board/{open_case.pk}/" in body
    assert open_case.tracking_code not in body  # the tracking code stays the reporter's
    actions.reject_complaint(complaint_id=open_case.pk, by=staff["oss"], reason="เรื่องของคุณสมชาย บ้านเลขที่ 9")
    bodies = list(sms.values_list("body", flat=True))
    assert len(bodies) == 2
    assert all("สมชาย" not in b for b in bodies)  # the note is the reporter's, not forwarded
    stop_url = re.search(r"(/complaints/board/stop/[^/\s]+/)", bodies[-1]).group(1)
    assert client_a.get(stop_url).status_code == 200
    assert client_a.post(stop_url).status_code == 200
    supporter.refresh_from_db()
    assert supporter.notify is False
    assert client_a.get("/complaints/board/stop/not-a-token/").status_code == 404


def test_stopped_supporter_gets_nothing(open_case, staff):
    board.support_complaint(complaint_id=open_case.pk, phone=SUPPORTER_PHONE, ip="198.51.100.1")
    Supporter.objects.update(notify=False)
    actions.accept_complaint(complaint_id=open_case.pk, by=staff["oss"])
    assert not OutboxMessage.objects.filter(recipient=SUPPORTER_PHONE).exists()


def test_triage_sees_and_sorts_by_the_count(client_a, open_case, board_category, staff):  # noqa: F811
    busy = file_complaint(board_category, reporter_phone="0811112233")
    for n in range(3):
        board.support_complaint(complaint_id=busy.pk, phone=f"08922200{n:02d}", ip=f"198.51.100.{n}")
    ordered = selectors.inbox(user=staff["oss"], filters=selectors.InboxFilter.from_params({"sort": "supporters"}))
    assert list(ordered.values_list("pk", flat=True))[:2] == [busy.pk, open_case.pk]
    client_a.force_login(staff["oss"])
    page = client_a.get("/complaints/staff/", {"sort": "supporters"}).content.decode()
    assert 'class="oss-supporters">3<' in page
    detail = client_a.get(f"/complaints/staff/{busy.pk}/").content.decode()
    assert "ผู้แจ้งว่าพบปัญหาเดียวกัน (ฉันก็เจอ): 3 คน" in detail
    api = client_a.get("/api/v1/oss/complaints/", {"sort": "supporters"}, HTTP_ACCEPT="application/json")
    assert api.status_code == 200
    rows = api.json()["results"] if isinstance(api.json(), dict) else api.json()
    assert rows[0]["supporter_count"] == 3


def test_me_too_for_town_a_case_on_town_b_host_is_404(client_b, open_case, town_b):
    a_pk = open_case.pk
    connection.set_tenant(town_b)
    enable_board()
    assert not Complaint.objects.filter(pk=a_pk).exists()
    response = client_b.post(f"/complaints/board/{a_pk}/me-too/", {"phone": SUPPORTER_PHONE})
    assert response.status_code == 404
    assert not OutboxMessage.objects.exists()
    with pytest.raises(board.NotOnBoard):
        board.support_complaint(complaint_id=a_pk, phone=SUPPORTER_PHONE, ip="198.51.100.1")


def test_a_merged_duplicate_adds_its_reporter_and_supporters_to_the_count(open_case, staff):
    duplicate = file_complaint(open_case.category, reporter_phone="0899990000")
    citizen = make_user(kind="citizen", phone="0861234500")
    enable_board()
    board.support_complaint(complaint_id=duplicate.pk, user=citizen)
    actions.merge_complaint(complaint_id=duplicate.pk, into_id=open_case.pk, by=staff["oss"])
    open_case.refresh_from_db()
    assert open_case.supporter_count == 2  # the duplicate's reporter and its one supporter
