"""e-Saraban on day one: the clerk sets the letter prefix (and anyone else learns who can), the
number is never written "ที่ ที่", and an approval route with a gap still goes."""

from __future__ import annotations

import pytest

from services.correspondence import actions
from services.correspondence.models import Letter
from tests.factories import make_user

from .helpers import approved_letter, configure_town, staff_set

pytestmark = pytest.mark.django_db


class _Keep:
    def __init__(self, client, town):
        self.client, self.town = client, town

    def __getattr__(self, name):
        attribute = getattr(self.client, name)
        if name not in ("get", "post"):
            return attribute

        def call(*args, **kwargs):
            from django.db import connection

            try:
                return attribute(*args, **kwargs)
            finally:
                connection.set_tenant(self.town)

        return call


def test_the_clerk_sets_the_letter_prefix_and_nothing_else(client_a, in_town_a):
    people = staff_set()
    client = _Keep(client_a, in_town_a)
    client.force_login(people["clerk"])
    page = client.get("/saraban/settings/")
    assert page.status_code == 200
    assert 'name="letter_prefix"' in page.content.decode()
    assert 'name="retention_years"' not in page.content.decode()
    assert client.post("/saraban/settings/", {"letter_prefix": "ชบ 52103"}).status_code == 302
    assert actions.saraban_settings().letter_prefix == "ชบ 52103"


def test_someone_who_cannot_set_the_prefix_is_told_who_can(client_a, in_town_a):
    people = staff_set()
    client = _Keep(client_a, in_town_a)
    client.force_login(people["officer"])
    assert client.get("/saraban/settings/").status_code == 403
    home = client.get("/saraban/").content.decode()
    assert "ยังไม่ได้ตั้งรหัสหน่วยงาน" in home
    assert "สมศรี สารบรรณ" in home  # the clerk, by name


def test_sending_without_a_prefix_names_who_can_set_it(in_town_a):
    from django.core.exceptions import ValidationError

    people = staff_set()
    letter = approved_letter(people)
    with pytest.raises(ValidationError) as refused:
        actions.send_letter(letter_id=letter.pk, by=people["clerk"], recipient_codes=[], paper_recipients=["ผู้รับ"])
    assert "สมศรี สารบรรณ" in " ".join(refused.value.messages)


def test_the_number_is_shown_once_after_the_label(client_a, in_town_a):
    configure_town("ชบ 52103")
    people = staff_set()
    letter = approved_letter(people)
    actions.send_letter(letter_id=letter.pk, by=people["clerk"], recipient_codes=[], paper_recipients=["ผู้รับ"])
    letter.refresh_from_db()
    assert letter.number_text.startswith("ชบ 52103/")
    client = _Keep(client_a, in_town_a)
    client.force_login(people["clerk"])
    page = client.get(f"/saraban/letters/{letter.pk}/").content.decode()
    assert f"<dd>{letter.number_text}</dd>" in page  # the label "ที่" is the <dt>, the number once
    assert "<dd>ที่" not in page


def test_an_approval_route_with_only_the_second_slot_filled_goes(client_a, in_town_a):
    people = staff_set()
    letter = actions.draft_letter(by=people["clerk"], subject="ทดสอบ", body="ข้อความ", recipient_name="ผู้รับ")
    client = _Keep(client_a, in_town_a)
    client.force_login(people["clerk"])
    client.post(f"/saraban/letters/{letter.pk}/submit/", {"approver_2": people["executive"].pk})
    letter.refresh_from_db()
    assert list(letter.approval_steps.values_list("approver_id", flat=True)) == [people["executive"].pk]


def test_an_empty_approval_route_is_refused_out_loud(client_a, in_town_a):
    people = staff_set()
    letter = actions.draft_letter(by=people["clerk"], subject="ทดสอบ", body="ข้อความ", recipient_name="ผู้รับ")
    client = _Keep(client_a, in_town_a)
    client.force_login(people["clerk"])
    page = client.post(f"/saraban/letters/{letter.pk}/submit/", {}, follow=True).content.decode()
    assert "อย่างน้อยหนึ่งคน" in page
    assert Letter.objects.get(pk=letter.pk).status == "draft"


def test_a_town_admin_keeps_the_full_settings(client_a, in_town_a):
    client = _Keep(client_a, in_town_a)
    client.force_login(make_user(roles=("town_admin",)))
    assert 'name="retention_years"' in client.get("/saraban/settings/").content.decode()
