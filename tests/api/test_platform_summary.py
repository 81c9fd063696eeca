"""GET /api/platform/v1/summary/: the dashboard's monthly figures, per country, province or town."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from api.tokens import issue_token
from onboarding.summary import refresh_platform_summary
from tenants.models import Municipality
from tests.factories import make_user
from tests.onboarding.test_summary import BKK, _file_in


@pytest.fixture
def api(db):
    connection.set_schema_to_public()
    client = APIClient(HTTP_HOST="localhost")
    client.credentials(HTTP_AUTHORIZATION="Token " + issue_token(make_user(kind="platform_admin")))
    return client


@pytest.mark.django_db
def test_the_summary_sums_the_towns_and_filters_by_town(api, town_a, town_b):
    month = timezone.localdate().replace(day=1)
    when = dt.datetime.combine(month, dt.time(10), BKK)
    _file_in(town_a, when, count=2)
    _file_in(town_b, when, count=3)
    Municipality.objects.filter(pk=town_b.pk).update(province_code="21", province="ระยอง")
    refresh_platform_summary(months=3)

    body = api.get("/api/platform/v1/summary/?months=3").json()
    latest = body["results"][-1]
    assert latest["month"] == month.isoformat()
    assert (latest["requests_filed"], latest["towns_reporting"], latest["complaints"]["filed"]) == (5, 2, 5)
    only_a = api.get("/api/platform/v1/summary/?months=3&town=alpha").json()["results"][-1]
    assert (only_a["requests_filed"], only_a["towns_reporting"]) == (2, 1)
    in_province = api.get("/api/platform/v1/summary/?months=3&province=21").json()
    assert in_province["results"][-1]["requests_filed"] == 3
    # The month before had nothing: "no data", not zeros.
    earlier = body["results"][0]
    assert earlier["has_data"] is False and earlier["requests_filed"] is None


@pytest.mark.django_db
def test_bad_filters_are_refused_in_thai_and_english(api, town_a):
    response = api.get("/api/platform/v1/summary/?town=nowhere&months=999")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"town", "months"}
    assert "(no such town)" in fields["town"][0]


@pytest.mark.django_db
def test_a_town_token_cannot_read_the_national_summary(town_a, in_town_a):
    client = APIClient(HTTP_HOST="localhost")
    client.credentials(HTTP_AUTHORIZATION="Token " + issue_token(make_user(roles=("town_admin",))))
    assert client.get("/api/platform/v1/summary/").status_code == 401
