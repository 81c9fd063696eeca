"""Staff pages: queues, case page actions, permissions per role, exports, settings."""

from __future__ import annotations

import pytest

from services.complaints.models import Complaint, Holiday, Open311Client

from .conftest import INSIDE_A, file_complaint, photo_upload

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def test_officer_resolves_through_the_case_page(client_a, category, staff):
    complaint = file_complaint(category)
    oss = _login(client_a, staff["oss"])
    assert complaint.tracking_code in oss.get("/complaints/staff/?queue=triage").content.decode()
    oss.post(f"/complaints/staff/{complaint.pk}/accept/", {"department": staff["roads"].pk})
    client_a.logout()
    head = _login(client_a, staff["head"])
    page = head.get(f"/complaints/staff/{complaint.pk}/").content.decode()
    assert "assign-button" in page
    head.post(f"/complaints/staff/{complaint.pk}/assign/", {"officer": staff["officer"].pk})
    client_a.logout()
    officer = _login(client_a, staff["officer"])
    officer.post(f"/complaints/staff/{complaint.pk}/start/")
    officer.post(f"/complaints/staff/{complaint.pk}/resolve/", {"reply": "ซ่อมแล้ว", "photos": [photo_upload()]})
    complaint.refresh_from_db()
    assert complaint.status == "resolved"
    assert complaint.assigned_to == staff["officer"]


def test_officer_cannot_open_a_case_not_theirs(client_a, category, staff):
    complaint = file_complaint(category)
    response = _login(client_a, staff["other_officer"]).get(f"/complaints/staff/{complaint.pk}/")
    assert response.status_code == 404


def test_forbidden_action_is_a_message_not_a_500(client_a, category, staff):
    complaint = file_complaint(category)
    head = _login(client_a, staff["head"])
    response = head.post(f"/complaints/staff/{complaint.pk}/reject/", {"reason": "ไม่ใช่"}, follow=True)
    assert response.status_code == 200
    complaint.refresh_from_db()
    assert complaint.status == "received"


def test_citizen_cannot_reach_the_inbox(client_a, in_town_a):
    from tests.factories import make_user

    response = _login(client_a, make_user(kind="citizen")).get("/complaints/staff/")
    assert response.status_code == 403


def test_filters_and_search(client_a, category, staff):
    from services.complaints.models import Category

    pothole = file_complaint(category, description="หลุมบ่อหน้าวัด")
    garbage = file_complaint(Category.objects.get(code="garbage"), description="ขยะล้นถัง")
    oss = _login(client_a, staff["oss"])
    body = oss.get("/complaints/staff/", {"q": "หน้าวัด"}).content.decode()
    assert pothole.tracking_code in body
    assert garbage.tracking_code not in body
    body = oss.get("/complaints/staff/", {"category": "garbage"}).content.decode()
    assert garbage.tracking_code in body
    assert pothole.tracking_code not in body
    body = oss.get("/complaints/staff/", {"view": "map"}).content.decode()
    assert "oss-points" in body


def test_walk_in_filing_records_who_entered_it(client_a, category, staff):
    oss = _login(client_a, staff["oss"])
    response = oss.post(
        "/complaints/staff/new/",
        {
            "channel": "walk_in",
            "category": category.pk,
            "description": "ไฟทางดับหน้าตลาด",
            "latitude": str(INSIDE_A[0]),
            "longitude": str(INSIDE_A[1]),
            "reporter_name": "ป้าแดง",
            "reporter_phone": "0861112222",
            "consent": "on",
        },
    )
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert (complaint.channel, complaint.filed_by) == ("walk_in", staff["oss"])


def test_volunteer_sees_only_what_they_filed(client_a, category, staff):
    other = file_complaint(category)
    volunteer = _login(client_a, staff["volunteer"])
    volunteer.post(
        "/complaints/staff/new/",
        {
            "channel": "bbuddy",
            "category": category.pk,
            "description": "ยายสมศรีขอให้มาตัดกิ่งไม้",
            "latitude": str(INSIDE_A[0]),
            "longitude": str(INSIDE_A[1]),
            "reporter_name": "สมศรี",
            "reporter_phone": "0861113333",
            "consent": "on",
        },
    )
    body = volunteer.get("/complaints/staff/?queue=filed").content.decode()
    mine = Complaint.objects.get(filed_by=staff["volunteer"])
    assert mine.tracking_code in body
    assert other.tracking_code not in body
    assert volunteer.get(f"/complaints/staff/{other.pk}/").status_code == 404


def test_dashboard_and_exports_escape_formulas(client_a, category, staff):
    file_complaint(category, description='=HYPERLINK("http://evil") <b>x</b>')
    executive = _login(client_a, staff["executive"])
    page = executive.get("/complaints/staff/dashboard/")
    assert page.status_code == 200
    assert "summary" in page.content.decode()
    csv_body = b"".join(executive.get("/complaints/staff/export.csv").streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_body
    xlsx = executive.get("/complaints/staff/export.xlsx")
    assert xlsx.status_code == 200
    assert xlsx.content[:2] == b"PK"
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(row=2, column=16).value.startswith("'=")


def test_officer_cannot_export(client_a, staff):
    assert _login(client_a, staff["officer"]).get("/complaints/staff/export.csv").status_code == 403


def test_town_admin_edits_holidays_and_issues_open311_keys(client_a, staff):
    admin = _login(client_a, staff["admin"])
    assert admin.get("/complaints/staff/settings/").status_code == 200
    assert Holiday.objects.filter(is_seeded=True).exists()  # Thai public holidays seeded
    admin.post(
        "/complaints/staff/settings/", {"form": "holiday", "h-date": "2026-11-27", "h-name": "วันเทศบาล"}
    )
    assert Holiday.objects.filter(name="วันเทศบาล").exists()
    response = admin.post("/complaints/staff/settings/", {"form": "client", "c-name": "FixMyStreet TH"})
    assert response.status_code == 201  # issued: a success, shown once on this page
    assert "new-key" in response.content.decode()
    assert admin.post("/complaints/staff/settings/", {"form": "client", "c-name": ""}).status_code == 400
    assert Open311Client.objects.get().name == "FixMyStreet TH"
    assert _login(client_a, staff["officer"]).get("/complaints/staff/settings/").status_code == 403


def test_staff_views_of_personal_data_are_logged(client_a, category, staff):
    from auditlog.models import LogEntry

    complaint = file_complaint(category)
    _login(client_a, staff["oss"]).get(f"/complaints/staff/{complaint.pk}/")
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS, object_pk=str(complaint.pk))
    assert entry.actor == staff["oss"]


def test_town_admin_defines_an_open311_attribute(client_a, staff):
    from services.complaints.models import Category

    road = Category.objects.get(code="road")
    admin = _login(client_a, staff["admin"])
    data = {
        "code": "road",
        "name_th": road.name_th,
        "sla_hours": "16",
        "order": "0",
        "is_active": "on",
        "allow_anonymous": "on",
        "attr-TOTAL_FORMS": "1",
        "attr-INITIAL_FORMS": "0",
        "attr-MIN_NUM_FORMS": "0",
        "attr-MAX_NUM_FORMS": "1000",
        "attr-0-code": "size",
        "attr-0-description": "ขนาดหลุม",
        "attr-0-datatype": "singlevaluelist",
        "attr-0-order": "1",
        "attr-0-required": "on",
        "attr-0-values_text": "small=เล็ก\nbig=ใหญ่",
    }
    assert admin.post(f"/complaints/staff/settings/categories/{road.pk}/", data).status_code == 302
    attribute = road.attributes.get()
    assert attribute.values == [{"key": "small", "name": "เล็ก"}, {"key": "big", "name": "ใหญ่"}]
    data["attr-0-values_text"] = "no-equals-sign"
    data.update({"attr-INITIAL_FORMS": "1", "attr-0-id": str(attribute.pk), "attr-0-category": str(road.pk)})
    assert admin.post(f"/complaints/staff/settings/categories/{road.pk}/", data).status_code == 400


def test_the_case_page_names_the_next_step_and_who_takes_it(client_a, category, staff):
    complaint = file_complaint(category)
    page = _login(client_a, staff["oss"]).get(f"/complaints/staff/{complaint.pk}/").content.decode()
    section = page[page.index('id="next-steps"'):]
    section = section[: section.index("</section>")]
    assert "รับเรื่องพิจารณา" in section  # the next step …
    assert "เจ้าหน้าที่ศูนย์บริการร่วม" in section  # … and the role that takes it
