"""Every e-Saraban page opens for the people who use it, and is closed to citizens."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from tests.factories import make_user
from tests.services.correspondence.helpers import approved_letter, configure_town, staff_set

pytestmark = pytest.mark.django_db

PAGES = [
    ("correspondence:home", ()),
    ("correspondence:letters", ()),
    ("correspondence:draft", ()),
    ("correspondence:receive_paper", ()),
    ("correspondence:register", ("receiving",)),
    ("correspondence:register", ("sending",)),
    ("correspondence:retention", ()),
    ("correspondence:settings", ()),
]


def test_pages_open_for_a_clerk_who_is_also_the_town_admin(in_town_a, client_a):
    configure_town()
    people = staff_set()
    letter = approved_letter(people)
    user = make_user(roles=("saraban_clerk", "town_admin"))
    client_a.force_login(user)
    for name, args in [*PAGES, ("correspondence:letter", (letter.pk,))]:
        response = client_a.get(reverse(name, args=args))
        connection.set_tenant(in_town_a)
        assert response.status_code == 200, name
        assert "สารบรรณ" in response.content.decode() or "หนังสือ" in response.content.decode()


def test_citizens_are_kept_out(in_town_a, client_a):
    client_a.force_login(make_user(kind="citizen"))
    response = client_a.get(reverse("correspondence:home"))
    connection.set_tenant(in_town_a)
    assert response.status_code == 403


def test_backoffice_menu_links_to_saraban(in_town_a, client_a):
    client_a.force_login(staff_set()["clerk"])
    response = client_a.get(reverse("backoffice:home"))
    connection.set_tenant(in_town_a)
    assert reverse("correspondence:home") in response.content.decode()
