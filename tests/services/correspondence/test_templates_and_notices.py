"""Letter templates pre-fill a draft; internal memos use the memo layout; routed people are told."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from services.common.models import OutboxMessage
from services.correspondence import actions, selectors
from services.correspondence.models import Letter, LetterTemplate
from services.correspondence.pdf import render_letter_pdf
from tests.factories import make_user
from tests.services.correspondence.helpers import configure_town, scan, staff_set
from tests.services.correspondence.test_views import fold, pdf_text

pytestmark = pytest.mark.django_db


def test_every_town_starts_with_templates_and_a_template_prefills_the_draft(in_town_a, client_a):
    template = LetterTemplate.objects.get(name="เชิญประชุม")
    client_a.force_login(staff_set()["clerk"])
    response = client_a.get(reverse("correspondence:draft") + f"?template={template.pk}")
    connection.set_tenant(in_town_a)
    assert response.status_code == 200
    assert "กำหนดจัดประชุม" in response.content.decode()


def test_internal_memo_is_rendered_as_a_memo(in_town_a):
    configure_town()
    officer = staff_set()["officer"]
    memo = actions.draft_letter(
        by=officer,
        kind="internal",
        subject="ขออนุมัติเดินทางไปราชการ",
        body="ตามที่...",
        recipient_name="ปลัดเทศบาล",
        closing="",
    )
    text = pdf_text(render_letter_pdf(memo))
    assert fold("บันทึกข้อความ") in text
    assert fold("ส่วนราชการ") in text
    external = actions.draft_letter(
        by=officer, subject="ขอเชิญประชุม", body="ด้วย...", recipient_name="นายอำเภอ"
    )
    assert fold("บันทึกข้อความ") not in pdf_text(render_letter_pdf(external))


def test_routed_people_get_an_email_and_secret_subjects_stay_inside(in_town_a):
    configure_town()
    people = staff_set()
    reader = make_user(roles=("officer",), email="reader@alpha.example.org")

    def routed(secrecy: str, subject: str) -> Letter:
        letter = actions.register_paper_letter(
            by=people["clerk"],
            subject=subject,
            sender_name="จังหวัด",
            letter_number="1",
            letter_date=timezone.localdate(),
            scans=[scan()],
            secrecy=secrecy,
            urgency="most_urgent",
        )
        actions.circulate_letter(letter_id=letter.pk, by=people["clerk"], to_users=[reader])
        return letter

    routed("normal", "เรื่องทั่วไปทดสอบ")
    routed("secret", "เรื่องลับทดสอบ")
    mails = OutboxMessage.objects.filter(recipient="reader@alpha.example.org").order_by("pk")
    assert [m.subject for m in mails] == ["[ด่วนที่สุด] เรื่องทั่วไปทดสอบ", "[ด่วนที่สุด] มีหนังสือชั้นความลับส่งถึงท่าน"]
    assert "เรื่องลับทดสอบ" not in mails[1].body


def test_incoming_queue_puts_the_most_urgent_first(in_town_a):
    from services.correspondence.models import Direction, LetterStatus

    clerk = staff_set()["clerk"]
    for urgency in ("normal", "most_urgent", "urgent"):
        Letter.objects.create(
            direction=Direction.INCOMING, status=LetterStatus.RECEIVED, subject=urgency, urgency=urgency
        )
    assert [letter.urgency for letter in selectors.incoming_queue(user=clerk)] == [
        "most_urgent",
        "urgent",
        "normal",
    ]
