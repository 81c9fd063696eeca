"""Query parameters cleaned before they reach a database filter (NUL is refused by PostgreSQL)."""

from __future__ import annotations

from django.http import QueryDict

from services.common.params import clean_text, query_param


def test_nul_and_control_characters_are_dropped_and_length_bounded():
    assert clean_text(" ถนน\x00สุขุมวิท\x1b ") == "ถนนสุขุมวิท"
    assert clean_text(None) == ""
    assert len(clean_text("ก" * 100_000)) == 100


def test_query_param_reads_a_querydict_with_a_default():
    params = QueryDict("q=%00abc&status=")
    assert query_param(params, "q") == "abc"
    assert query_param(params, "missing", "open") == "open"


def test_staff_search_pages_survive_nul(client_a, in_town_a):
    from tests.factories import make_user

    client_a.force_login(
        make_user(username="nul-admin", roles=("town_admin", "finance_officer", "saraban_clerk", "oss_officer"))
    )
    for url in ("/staff/people/", "/staff/audit/", "/payments/staff/invoices/", "/payments/staff/payers/",
                "/saraban/letters/", "/permits/staff/", "/permits/register/", "/food/register/"):
        response = client_a.get(url, {"q": "a\x00b", "status": "\x00", "actor": "\x00", "model": "\x00"})
        # Refused once, before any view, with a bilingual message (services/common/request_guard.py).
        assert response.status_code == 400, url
        assert "NUL" in response.content.decode(), url
