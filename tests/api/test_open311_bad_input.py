"""Open311 with NUL characters and dates at the ends of the calendar: 400 with a message, never a 500."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("value", ["\x00", "OSS\x00-1", "ก" * 5000, "[]", "1e309"])
def test_nul_and_odd_values_in_every_parameter(client_a, value):
    for params in ({"start_date": value}, {"end_date": value}, {"service_request_id": value},
                   {"service_code": value}, {"status": value}, {"jurisdiction_id": value}):
        response = client_a.get("/open311/v2/requests.json", params)
        assert response.status_code < 500, params
        if "\x00" in value:
            assert response.status_code == 400
            assert "NUL" in response.json()[0]["description"]
    response = client_a.post("/open311/v2/requests.json", {"api_key": value, "service_code": value, "lat": value})
    # A NUL byte is refused before anything is read (400); any other odd key is simply not a key (403).
    assert response.status_code == (400 if "\x00" in value else 403)


@pytest.mark.parametrize("params", [
    {"start_date": "9999-12-31T23:59:59+14:00"},
    {"end_date": "0001-01-01T00:00:00+00:00"},
])
def test_a_window_past_the_calendar_is_refused(client_a, params):
    response = client_a.get("/open311/v2/requests.json", params)
    assert response.status_code == 400
    assert "9999" in response.json()[0]["description"]
