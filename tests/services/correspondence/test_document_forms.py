"""Each kind of the correspondence regulation prints on its own form with its own number series.

The tests read the issued PDFs' text (pypdf) the way a reader copies it out, and check the series:
gapless within a Buddhist-era year, restarting on 1 January, independent of each other.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from services.correspondence import actions
from services.correspondence.models import LetterAttachment, Register, RegisterEntry
from tests.services.correspondence.helpers import configure_town, staff_set

pytestmark = pytest.mark.django_db

BANGKOK = zoneinfo.ZoneInfo("Asia/Bangkok")


def pdf_text(letter) -> str:
    """The issued PDF's text, normalised like a reader's copy (SARA AM is decomposed in our PDFs)."""
    stored = LetterAttachment.objects.get(letter=letter, role=LetterAttachment.Role.RENDERED).file
    with stored.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKD", text))


def norm(text: str) -> str:
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKD", text))


def issue(people, *, kind: str, form: str = "", paper: tuple[str, ...] = (), **fields):
    values = {"subject": "ทดสอบเอกสาร", "body": "ข้อความของเอกสารฉบับนี้", **fields}
    letter = actions.draft_letter(by=people["clerk"], kind=kind, form=form, **values)
    actions.submit_for_approval(letter_id=letter.pk, by=people["clerk"], approver_ids=[people["executive"].pk])
    actions.decide_approval(letter_id=letter.pk, by=people["executive"], approve=True)
    actions.send_letter(letter_id=letter.pk, by=people["clerk"], paper_recipients=list(paper))
    letter.refresh_from_db()
    return letter


@pytest.fixture
def people(in_town_a):
    configure_town("ชบ 52105")
    return staff_set()


def test_external_letter_prints_on_form_1_with_the_sending_number(people):
    letter = issue(people, kind="external", recipient_name="นายอำเภอสัตหีบ", paper=("อำเภอสัตหีบ",))
    entry = letter.register_entries.get()
    assert entry.register == Register.SENDING
    assert letter.letter_number == f"ที่ ชบ 52105/{entry.number}"
    text = pdf_text(letter)
    assert f"ชบ 52105/{entry.number}" in text
    assert "เรียน" in text and "ขอแสดงความนับถือ" in text
    assert "บันทึกข้อความ" not in text


def test_memo_prints_as_a_memo_with_the_sending_number(people):
    letter = issue(people, kind="internal", recipient_name="ปลัดเทศบาล", paper=("ปลัดเทศบาล",))
    text = pdf_text(letter)
    assert "บันทึกข้อความ" in text and "ส่วนราชการ" in text
    assert f"ชบ 52105/{letter.register_entries.get().number}" in text
    assert "ขอแสดงความนับถือ" not in text  # a memo has no closing


def test_stamped_letter_has_the_stamp_and_no_subject_or_salutation(people):
    letter = issue(people, kind="stamped", recipient_name="ผู้อำนวยการโรงพยาบาลส่งเสริมสุขภาพตำบล", paper=("รพ.สต.",))
    text = pdf_text(letter)
    assert "ถึง" in text and "ลงชื่อย่อ" in text
    lines = [line.strip() for line in text.splitlines()]
    assert not any(line.startswith(("เรื่อง", "เรียน")) for line in lines)  # no subject, no salutation
    assert "ขอแสดงความนับถือ" not in text
    assert letter.register_entries.get().register == Register.SENDING


def test_orders_run_their_own_series_per_buddhist_year_and_restart_in_january(people):
    with time_machine.travel(dt.datetime(2026, 12, 30, 10, tzinfo=BANGKOK), tick=False):
        first = issue(people, kind="directive", form="order", subject="แต่งตั้งคณะกรรมการตรวจรับพัสดุ")
        second = issue(people, kind="directive", subject="มอบหมายหน้าที่")  # order is the directive default
        letter = issue(people, kind="external", recipient_name="จังหวัดชลบุรี", paper=("จังหวัดชลบุรี",))
    with time_machine.travel(dt.datetime(2027, 1, 2, 10, tzinfo=BANGKOK), tick=False):
        third = issue(people, kind="directive", form="order", subject="ให้พนักงานปฏิบัติหน้าที่")
    n1 = first.register_entries.get().number
    assert first.letter_number == f"ที่ {n1}/2569"
    assert second.letter_number == f"ที่ {n1 + 1}/2569"  # gapless, and the external letter took none
    assert letter.register_entries.get().register == Register.SENDING
    assert third.letter_number == "ที่ 1/2570"  # from 1 again each calendar year (ข้อ 16.2)
    assert RegisterEntry.objects.filter(register=Register.ORDERS, letter=third, year=2570, number=1).exists()
    text = pdf_text(second)
    assert norm("คำสั่งสำนักงานเทศบาลตำบลอัลฟา") in text.replace(" ", "") or "คำสั่ง" in text
    assert f"ที่ {n1 + 1}/2569" in text
    assert norm("สั่ง ณ วันที่") in text
    assert "30 ธันวาคม 2569" in text


def test_regulation_and_bylaw_carry_edition_and_year_not_a_running_number(people):
    regulation = issue(
        people, kind="directive", form="regulation", subject="การใช้รถส่วนกลาง", edition=2,
        effective_from=dt.date(2027, 1, 1),
    )
    bylaw = issue(people, kind="directive", form="bylaw", subject="การประชุมสภา")
    assert regulation.letter_number == "" and not regulation.register_entries.exists()
    text = pdf_text(regulation)
    assert "ระเบียบ" in text and "ว่าด้วยการใช้รถส่วนกลาง" in text.replace("\n", "")
    assert "(ฉบับที่ 2)" in text
    assert norm("ประกาศ ณ วันที่") in text
    bylaw_text = pdf_text(bylaw)
    assert "ข้อบังคับ" in bylaw_text and "ฉบับที่" not in bylaw_text  # a first by-law has no edition


def test_announcements_are_numbered_per_year_unless_the_town_turns_it_off(people):
    first = issue(people, kind="public_relations", subject="รับสมัครพนักงานจ้าง")
    second = issue(people, kind="public_relations", form="announcement", subject="ปิดถนนชั่วคราว")
    n1 = first.register_entries.get().number
    assert first.register_entries.get().register == Register.ANNOUNCEMENTS
    assert second.letter_number.endswith(f"{n1 + 1}/{first.register_entries.get().year}")
    text = pdf_text(second)
    assert "ประกาศ" in text and norm("ประกาศ ณ วันที่") in text
    config = actions.saraban_settings()
    config.number_announcements = False
    config.save()
    unnumbered = issue(people, kind="public_relations", subject="งานประเพณี")
    assert unnumbered.letter_number == "" and not unnumbered.register_entries.exists()


def test_statement_and_news_have_no_signature_and_an_optional_edition(people):
    statement = issue(people, kind="public_relations", form="statement", subject="สถานการณ์น้ำท่วม", edition=3)
    news = issue(people, kind="public_relations", form="news", subject="กิจกรรมวันเด็ก")
    assert "แถลงการณ์" in pdf_text(statement) and "ฉบับที่ 3" in pdf_text(statement)
    assert "ข่าว" in pdf_text(news)
    assert not statement.register_entries.exists() and not news.register_entries.exists()


def test_certificates_run_their_own_series_with_the_town_prefix(people):
    first = issue(people, kind="record", form="certificate", subject="รับรองการทำงาน", body="นางสาวสมใจ ใจดี ทำงานที่นี่")
    second = issue(people, kind="record", subject="รับรองการทำงาน", body="นายสมชาย ดีใจ ทำงานที่นี่")
    n1 = first.register_entries.get().number
    assert first.register_entries.get().register == Register.CERTIFICATES
    assert second.letter_number == f"ที่ ชบ 52105/{n1 + 1}"
    text = pdf_text(second)
    assert "หนังสือรับรอง" in text and "ให้ไว้เพื่อรับรองว่า" in text and norm("ให้ไว้ ณ วันที่") in text


def test_minutes_number_meetings_per_committee_and_year(people):
    council = issue(
        people, kind="record", form="minutes", subject="ระเบียบวาระที่ 1", committee="สภาเทศบาล",
        meeting_place="ห้องประชุมสภา", present="1. นายก\n2. ปลัด", minutes_taker="นางสาวจด บันทึก",
    )
    again = issue(people, kind="record", form="minutes", subject="ระเบียบวาระที่ 2", committee="สภาเทศบาล")
    other = issue(people, kind="record", form="minutes", subject="ตรวจรับ", committee="คณะกรรมการตรวจรับพัสดุ")
    year = council.letter_date.year + 543
    number = int(council.letter_number.split()[1].split("/")[0])
    assert again.letter_number == f"ครั้งที่ {number + 1}/{year}"
    assert other.letter_number == f"ครั้งที่ 1/{year}"
    text = pdf_text(council)
    assert "รายงานการประชุมสภาเทศบาล" in text.replace(" ", "")
    assert "ผู้มาประชุม" in text and "ผู้จดรายงานการประชุม" in text and "นางสาวจด บันทึก" in text


def test_minutes_need_a_committee_and_addressed_forms_a_recipient(people):
    with pytest.raises(ValidationError) as caught:
        actions.draft_letter(by=people["clerk"], kind="record", form="minutes", subject="ประชุม", body="x")
    assert "committee" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        actions.draft_letter(by=people["clerk"], kind="record", form="note", subject="ขออนุญาต", body="x")
    assert "recipient_name" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        actions.draft_letter(by=people["clerk"], kind="external", form="order", subject="ผิดแบบ", body="x")
    assert "form" in caught.value.message_dict


def test_note_is_addressed_and_unnumbered(people):
    note = issue(people, kind="record", form="note", recipient_name="นายกเทศมนตรี", subject="ขอลาพักผ่อน", paper=("นายก",))
    assert note.letter_number == "" and not note.register_entries.exists()
    assert "เรียน" in pdf_text(note)


def test_an_addressed_letter_without_recipients_is_refused_but_an_order_is_issued(people):
    letter = actions.draft_letter(by=people["clerk"], kind="external", subject="เชิญ", body="x", recipient_name="อำเภอ")
    actions.submit_for_approval(letter_id=letter.pk, by=people["clerk"], approver_ids=[people["executive"].pk])
    actions.decide_approval(letter_id=letter.pk, by=people["executive"], approve=True)
    with pytest.raises(ValidationError):
        actions.send_letter(letter_id=letter.pk, by=people["clerk"])
    order = issue(people, kind="directive", subject="แต่งตั้ง")
    assert order.status == "sent" and order.letter_number.startswith("ที่ ")


def test_order_numbers_are_per_town(people, town_b):
    from django.db import connection

    alpha_town = connection.tenant
    order = issue(people, kind="directive", subject="แต่งตั้ง")
    alpha_number = order.register_entries.get().number
    connection.set_tenant(town_b)
    configure_town("ชบ 52199")
    beta = issue(staff_set(), kind="directive", subject="แต่งตั้ง")
    assert beta.register_entries.get().number == 1
    connection.set_tenant(alpha_town)
    following = issue(people, kind="directive", subject="แต่งตั้ง")
    assert following.register_entries.get().number == alpha_number + 1
