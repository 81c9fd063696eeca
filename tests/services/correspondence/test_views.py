"""The back-office as a new user meets it: clerk of alpha sends, clerk of beta registers, the
executive of beta endorses to a department, alpha sees the acknowledgement."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.urls import reverse
from pypdf import PdfReader

from services.accounts.models import Department
from services.correspondence.models import Letter, LetterEvent, LetterRecipient, LetterStatus, RecipientStatus
from services.exchange import actions as exchange
from services.exchange.models import ExchangeMessage
from tests.factories import make_user
from tests.services.correspondence.helpers import MINIMAL_PDF, configure_town, staff_set

pytestmark = pytest.mark.django_db


def fold(text: str) -> str:
    """Sara aa (า) and sara am (ำ) share one glyph after HarfBuzz shaping, so a PDF's text layer
    cannot tell them apart; compare with both folded to sara aa."""
    return text.replace("\u0e4d", "").replace("\u0e33", "\u0e32").replace("\xa0", " ")


def pdf_text(content: bytes) -> str:
    return fold("".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages))


def call(client, method: str, url: str, data=None):
    """A request through the town's host; the routing middleware leaves the connection on the
    public schema afterwards, so put the test back in the schema it was in."""
    tenant = connection.tenant
    response = getattr(client, method)(url, data or {})
    connection.set_tenant(tenant)
    return response


def test_letter_goes_from_alpha_to_beta_and_is_endorsed_to_a_department(town_a, town_b, client_a, client_b):
    connection.set_tenant(town_a)
    configure_town("ชบ 52105")
    alpha = staff_set()
    client_a.force_login(alpha["clerk"])
    response = call(
        client_a,
        "post",
        reverse("correspondence:draft"),
        {
            "kind": "external",
            "urgency": "very_urgent",
            "secrecy": "normal",
            "subject": "ขอความร่วมมือจัดเก็บขยะ",
            "recipient_name": "นายกเทศมนตรีตำบลเบตา",
            "body": "ด้วยเทศบาลตำบลอัลฟามีความประสงค์...",
        },
    )
    assert response.status_code == 302
    letter = Letter.objects.get(subject="ขอความร่วมมือจัดเก็บขยะ")
    assert (
        call(
            client_a,
            "post",
            reverse("correspondence:letter_action", args=[letter.pk, "submit"]),
            {"approver_1": alpha["executive"].pk},
        ).status_code
        == 302
    )
    client_a.force_login(alpha["executive"])
    call(
        client_a,
        "post",
        reverse("correspondence:letter_action", args=[letter.pk, "approve"]),
        {"comment": "ลงนาม"},
    )
    client_a.force_login(alpha["clerk"])
    page = call(client_a, "get", reverse("correspondence:letter", args=[letter.pk]))
    assert town_b.name_th in page.content.decode()  # the directory lists the other town
    call(
        client_a,
        "post",
        reverse("correspondence:letter_action", args=[letter.pk, "send"]),
        {"recipient_codes": [town_b.lao_code]},
    )
    letter.refresh_from_db()
    assert letter.status == LetterStatus.SENT
    assert letter.letter_number.startswith("ที่ ชบ 52105/")
    pdf = call(client_a, "get", reverse("correspondence:letter_pdf", args=[letter.pk]))
    text = pdf_text(pdf.content)
    assert fold("ขอความร่วมมือจัดเก็บขยะ") in text
    assert fold("ด่วนมาก") in text
    assert "ที่ ชบ 52105/" in text

    message = ExchangeMessage.objects.get(
        public_id=LetterRecipient.objects.get(letter=letter).exchange_message_id
    )
    exchange.deliver(message.pk)  # what the Celery task does

    connection.set_tenant(town_b)
    configure_town("ชบ 52106")
    beta = staff_set()
    works = Department.objects.create(code="works", name_th="กองช่าง")
    engineer = make_user(roles=("officer",), department=works)
    client_b.force_login(beta["clerk"])
    home = call(client_b, "get", reverse("correspondence:home")).content.decode()
    assert "ขอความร่วมมือจัดเก็บขยะ" in home
    received = Letter.objects.get(exchange_message_id=message.public_id)
    call(client_b, "post", reverse("correspondence:letter_action", args=[received.pk, "register"]))
    call(
        client_b,
        "post",
        reverse("correspondence:letter_action", args=[received.pk, "present"]),
        {"to": beta["executive"].pk},
    )
    client_b.force_login(beta["executive"])
    call(
        client_b,
        "post",
        reverse("correspondence:letter_action", args=[received.pk, "endorse"]),
        {"order_text": "มอบกองช่างพิจารณาดำเนินการ", "to_departments": [works.pk]},
    )
    received.refresh_from_db()
    assert received.status == LetterStatus.ENDORSED
    client_b.force_login(engineer)
    assert "ขอความร่วมมือจัดเก็บขยะ" in call(client_b, "get", reverse("correspondence:home")).content.decode()
    detail = call(client_b, "get", reverse("correspondence:letter", args=[received.pk])).content.decode()
    assert "มอบกองช่างพิจารณาดำเนินการ" in detail

    exchange.deliver(ExchangeMessage.objects.get(answers=message).pk)
    connection.set_tenant(town_a)
    assert LetterRecipient.objects.get(letter=letter).status == RecipientStatus.REGISTERED
    detail = call(client_a, "get", reverse("correspondence:letter", args=[letter.pk])).content.decode()
    assert "เลขรับ 1/" in detail or "เลขรับ " in detail


def test_opening_a_secret_letter_not_routed_to_you_is_403_and_audited(in_town_a, client_a):
    configure_town()
    people = staff_set()
    client_a.force_login(people["clerk"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = call(
        client_a,
        "post",
        reverse("correspondence:receive_paper"),
        {
            "subject": "ข้อมูลลับทางราชการ",
            "sender_name": "จังหวัดชลบุรี",
            "letter_number": "ชบ 0017/ล 5",
            "letter_date": "2026-11-20",
            "kind": "external",
            "urgency": "normal",
            "secrecy": "secret",
            "scans": SimpleUploadedFile("s.pdf", MINIMAL_PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    letter = Letter.objects.get(subject="ข้อมูลลับทางราชการ")
    outsider = make_user(roles=("executive",))
    client_a.force_login(outsider)
    assert call(client_a, "get", reverse("correspondence:letter", args=[letter.pk])).status_code == 403
    assert LetterEvent.objects.filter(letter=letter, action="view_denied", by=outsider).exists()
    register = call(client_a, "get", reverse("correspondence:register", args=["receiving"])).content.decode()
    assert "ข้อมูลลับทางราชการ" not in register
    assert "ไม่แสดงเรื่อง" in register


def test_bad_upload_is_refused_with_a_clear_message(in_town_a, client_a):
    configure_town()
    client_a.force_login(staff_set()["clerk"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = call(
        client_a,
        "post",
        reverse("correspondence:receive_paper"),
        {
            "subject": "x",
            "sender_name": "y",
            "letter_number": "1",
            "letter_date": "2026-11-20",
            "kind": "external",
            "urgency": "normal",
            "secrecy": "normal",
            "scans": SimpleUploadedFile("a.exe", b"MZ", content_type="application/x-msdownload"),
        },
    )
    assert response.status_code == 400
    assert "ไม่รับไฟล์ประเภทนี้" in response.content.decode()
    assert not Letter.objects.exists()


def test_register_printouts_are_real_pdf_and_excel(in_town_a, client_a):
    from openpyxl import load_workbook

    configure_town()
    people = staff_set()
    from django.utils import timezone

    from services.correspondence import actions
    from tests.services.correspondence.helpers import scan

    actions.register_paper_letter(
        by=people["clerk"],
        subject="เรื่องทดสอบทะเบียน",
        sender_name="อำเภอสัตหีบ",
        letter_number="ชบ 0318/77",
        letter_date=timezone.localdate(),
        scans=[scan()],
    )
    client_a.force_login(people["clerk"])
    pdf = call(client_a, "get", reverse("correspondence:register_export", args=["receiving", "pdf"]))
    assert pdf.status_code == 200
    assert fold("เรื่องทดสอบทะเบียน") in pdf_text(pdf.content)
    xlsx = call(client_a, "get", reverse("correspondence:register_export", args=["receiving", "xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert any(row[6] == "เรื่องทดสอบทะเบียน" for row in sheet.iter_rows(values_only=True))
    assert (
        call(client_a, "get", reverse("correspondence:register", args=["receiving"]) + "?q=ทดสอบ").status_code
        == 200
    )


def test_officer_without_register_permission_cannot_read_the_registers(in_town_a, client_a):
    client_a.force_login(staff_set()["officer"])
    assert call(client_a, "get", reverse("correspondence:register", args=["receiving"])).status_code == 403


def test_letter_files_open_for_people_the_letter_was_routed_to_and_not_for_others(in_town_a, client_a):
    from django.utils import timezone

    from services.correspondence import actions
    from tests.services.correspondence.helpers import scan

    configure_town()
    people = staff_set()
    letter = actions.register_paper_letter(
        by=people["clerk"],
        subject="ลับ",
        sender_name="จังหวัด",
        letter_number="1",
        letter_date=timezone.localdate(),
        scans=[scan()],
        secrecy="secret",
    )
    actions.circulate_letter(letter_id=letter.pk, by=people["clerk"], to_users=[people["officer"]])
    item = letter.attachments.get()
    url = reverse("correspondence:attachment", args=[letter.pk, item.pk])
    client_a.force_login(people["officer"])
    response = call(client_a, "get", url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    client_a.force_login(make_user(roles=("executive",)))
    assert call(client_a, "get", url).status_code == 403
