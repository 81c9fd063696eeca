"""Retention: the destruction list and the committee record. Isolation: towns never see each other."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from services.correspondence import actions, selectors
from services.correspondence.models import Letter, RegisterEntry
from tests.factories import make_user
from tests.services.correspondence.helpers import configure_town, scan, staff_set

pytestmark = pytest.mark.django_db


def _old_letter(clerk, *, years_ago: int, **fields) -> Letter:
    letter = actions.register_paper_letter(
        by=clerk,
        subject=fields.pop("subject", "หนังสือเก่า"),
        sender_name="อำเภอ",
        letter_number="ชบ 1/1",
        letter_date=timezone.localdate(),
        scans=[scan()],
        **fields,
    )
    actions.close_letter(letter_id=letter.pk, by=clerk)
    RegisterEntry.objects.filter(letter=letter).update(year=models_year() - years_ago)
    return letter


def models_year() -> int:
    from services.common.buddhist_era import be_year

    return be_year(timezone.now())


def test_destruction_list_has_only_finished_letters_past_retention(in_town_a):
    configure_town()
    people = staff_set()
    admin = make_user(roles=("town_admin",))
    due = _old_letter(people["clerk"], years_ago=11, subject="ครบอายุ")
    not_yet = _old_letter(people["clerk"], years_ago=5, subject="ยังไม่ครบ")
    permanent = _old_letter(people["clerk"], years_ago=30, subject="เก็บตลอดไป")
    Letter.objects.filter(pk=permanent.pk).update(keep_permanently=True)
    assert list(selectors.destruction_candidates()) == [due]
    with pytest.raises(ValidationError):
        actions.record_destruction(letter_ids=[due.pk, not_yet.pk], by=admin, committee_note="มติที่ 1/2569")
    with pytest.raises(PermissionDenied):
        actions.record_destruction(letter_ids=[due.pk], by=people["clerk"], committee_note="มติที่ 1/2569")
    assert actions.record_destruction(letter_ids=[due.pk], by=admin, committee_note="มติที่ 1/2569") == 1
    due.refresh_from_db()
    assert due.destroyed_at is not None
    assert not selectors.destruction_candidates().exists()


def test_a_letter_of_one_town_is_not_found_from_another(town_a, town_b, client_b):
    connection.set_tenant(town_a)
    configure_town()
    letter = actions.register_paper_letter(
        by=staff_set()["clerk"],
        subject="ของอัลฟา",
        sender_name="อำเภอ",
        letter_number="1",
        letter_date=timezone.localdate(),
        scans=[scan()],
    )
    connection.set_tenant(town_b)
    clerk_b = staff_set()["clerk"]
    client_b.force_login(clerk_b)
    response = client_b.get(reverse("correspondence:letter", args=[letter.pk]))
    connection.set_tenant(town_b)
    assert response.status_code == 404
    assert not selectors.search_letters(user=clerk_b, query="ของอัลฟา").exists()
