"""Presenting, endorsing and routing inside a town; secret letters only for the people they concern."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from services.accounts.models import Department
from services.common.workflow import TransitionNotAllowed
from services.correspondence import actions, selectors
from services.correspondence.models import LetterEvent, LetterStatus
from tests.factories import make_user
from tests.services.correspondence.helpers import configure_town, scan, staff_set

pytestmark = pytest.mark.django_db


def _paper_letter(clerk, **fields):
    values = {
        "subject": "ขอรับการสนับสนุนงบประมาณ",
        "sender_name": "อำเภอสัตหีบ",
        "letter_number": "ชบ 0318/1234",
        "letter_date": timezone.localdate(),
        "scans": [scan()],
        **fields,
    }
    return actions.register_paper_letter(by=clerk, **values)


def test_executive_endorses_and_routes_to_a_department_whose_members_acknowledge(in_town_a):
    configure_town()
    people = staff_set()
    works = Department.objects.create(code="works", name_th="กองช่าง")
    engineer = make_user(roles=("officer",), department=works)
    letter = _paper_letter(people["clerk"])
    actions.present_letter(letter_id=letter.pk, by=people["clerk"], to=people["executive"])
    actions.endorse_letter(
        letter_id=letter.pk, by=people["executive"], order_text="มอบกองช่างดำเนินการ", to_departments=[works]
    )
    letter.refresh_from_db()
    assert letter.status == LetterStatus.ENDORSED
    routing = selectors.my_routings(user=engineer).get()
    assert routing.letter == letter
    assert routing.endorsement.order_text == "มอบกองช่างดำเนินการ"
    with pytest.raises(PermissionDenied):
        actions.acknowledge_routing(routing_id=routing.pk, by=people["officer"])  # not in กองช่าง
    actions.acknowledge_routing(routing_id=routing.pk, by=engineer, action_taken="ออกสำรวจแล้ว", done=True)
    routing.refresh_from_db()
    assert routing.acknowledged_by == engineer
    assert routing.done_at is not None
    trail = list(letter.events.values_list("action", flat=True))
    assert "registered" in trail
    assert "routed" in trail
    assert "acknowledged" in trail
    assert "action_done" in trail


def test_only_an_executive_may_endorse(in_town_a):
    configure_town()
    people = staff_set()
    letter = _paper_letter(people["clerk"])
    with pytest.raises(PermissionDenied):
        actions.endorse_letter(
            letter_id=letter.pk, by=people["clerk"], order_text="ทราบ", to_users=[people["officer"]]
        )
    with pytest.raises(ValidationError):
        actions.present_letter(letter_id=letter.pk, by=people["clerk"], to=people["officer"])


def test_circular_goes_to_many_at_once(in_town_a):
    configure_town()
    people = staff_set()
    departments = [Department.objects.create(code=f"d{i}", name_th=f"กอง {i}") for i in range(3)]
    letter = _paper_letter(people["clerk"])
    routings = actions.circulate_letter(
        letter_id=letter.pk,
        by=people["clerk"],
        to_departments=departments,
        to_users=[people["officer"]],
        note="เพื่อทราบ",
    )
    assert len(routings) == 4


def test_secret_letter_is_refused_to_others_and_every_view_is_audited(in_town_a):
    configure_town()
    people = staff_set()
    other_clerk = make_user(roles=("saraban_clerk",))
    other_executive = make_user(roles=("executive",))
    letter = _paper_letter(people["clerk"], secrecy="secret", subject="เรื่องลับเฉพาะ")
    actions.present_letter(letter_id=letter.pk, by=people["clerk"], to=people["executive"])
    actions.endorse_letter(
        letter_id=letter.pk, by=people["executive"], order_text="ให้ดำเนินการ", to_users=[people["officer"]]
    )
    for outsider in (other_clerk, other_executive):
        with pytest.raises(PermissionDenied):
            selectors.letter_for_viewing(user=outsider, letter_id=letter.pk)
    assert LetterEvent.objects.filter(letter=letter, action="view_denied", by=other_clerk).count() == 1
    for insider in (people["officer"], people["executive"], people["clerk"]):
        assert selectors.letter_for_viewing(user=insider, letter_id=letter.pk) == letter
    assert LetterEvent.objects.filter(letter=letter, action="viewed").count() == 3
    # In the register the entry stays (the numbers are gapless) but is marked not visible.
    entry = selectors.register_entries(user=other_clerk, register="receiving").get(letter=letter)
    assert entry.letter_visible is False
    assert not selectors.search_letters(user=other_clerk, query="ลับเฉพาะ").exists()
    assert selectors.search_letters(user=people["officer"], query="ลับเฉพาะ").exists()


def test_secret_letters_are_routed_to_named_people_only(in_town_a):
    configure_town()
    people = staff_set()
    works = Department.objects.create(code="works", name_th="กองช่าง")
    letter = _paper_letter(people["clerk"], secrecy="very_secret")
    actions.present_letter(letter_id=letter.pk, by=people["clerk"], to=people["executive"])
    with pytest.raises(ValidationError):
        actions.endorse_letter(
            letter_id=letter.pk, by=people["executive"], order_text="x", to_departments=[works]
        )


def test_paper_letter_needs_its_required_fields_and_a_scan_of_an_accepted_type(in_town_a):
    configure_town()
    clerk = staff_set()["clerk"]
    with pytest.raises(ValidationError) as missing:
        actions.register_paper_letter(
            by=clerk, subject="", sender_name="", letter_number="", letter_date=None, scans=[]
        )
    assert set(missing.value.message_dict) == {
        "subject",
        "sender_name",
        "letter_number",
        "letter_date",
        "scans",
    }
    with pytest.raises(ValidationError):
        _paper_letter(clerk, scans=[scan("x.docx", b"PK..", "application/vnd.openxmlformats")])
    with pytest.raises(ValidationError):
        _paper_letter(clerk, scans=[scan("big.pdf", b"%PDF" + b"0" * (11 * 1024 * 1024))])
    assert not selectors.search_letters(user=clerk).exists()


def test_approval_chain_runs_in_order_and_rejection_returns_to_draft(in_town_a):
    configure_town()
    people = staff_set()
    head = make_user(roles=("department_head",))
    letter = actions.draft_letter(
        by=people["officer"], subject="ขออนุมัติ", body="ข้อความ", recipient_name="นายอำเภอ"
    )
    actions.submit_for_approval(
        letter_id=letter.pk, by=people["officer"], approver_ids=[head.pk, people["executive"].pk]
    )
    with pytest.raises(PermissionDenied):
        actions.decide_approval(letter_id=letter.pk, by=people["executive"], approve=True)  # not their turn
    assert list(selectors.awaiting_my_approval(user=head)) == [letter]
    actions.decide_approval(letter_id=letter.pk, by=head, approve=True)
    actions.decide_approval(letter_id=letter.pk, by=people["executive"], approve=False, comment="แก้ย่อหน้าสอง")
    letter.refresh_from_db()
    assert letter.status == LetterStatus.DRAFT
    actions.submit_for_approval(
        letter_id=letter.pk, by=people["officer"], approver_ids=[people["executive"].pk]
    )
    actions.decide_approval(letter_id=letter.pk, by=people["executive"], approve=True)
    letter.refresh_from_db()
    assert letter.status == LetterStatus.APPROVED
    assert letter.signer == people["executive"]
    with pytest.raises(TransitionNotAllowed):
        actions.submit_for_approval(letter_id=letter.pk, by=people["officer"], approver_ids=[head.pk])
