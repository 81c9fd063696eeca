"""One client address for every limiter, believing X-Forwarded-For only from trusted proxies."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from services.common.client_ip import resolve_client_ip
from tests.factories import PASSWORD, make_user

NGINX = "172.28.0.10"


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("203.0.113.9", "", "203.0.113.9"),
        ("203.0.113.9", "1.2.3.4", "203.0.113.9"),  # not a proxy: its header is ignored
        (NGINX, "198.51.100.7", "198.51.100.7"),
        (NGINX, "1.2.3.4, 198.51.100.7", "198.51.100.7"),  # the client's own prefix is not believed
        (NGINX, "garbage, 198.51.100.7", "198.51.100.7"),
        (NGINX, "198.51.100.7, 10.0.0.5", "198.51.100.7"),  # a second trusted hop is skipped
        (NGINX, "not-an-ip", NGINX),
        (NGINX, "", NGINX),
        (NGINX, "[2001:db8::1]:443", "2001:db8::1"),
    ],
)
def test_the_client_is_the_first_untrusted_hop_from_the_right(peer, forwarded, expected):
    assert resolve_client_ip(peer, forwarded, [NGINX, "10.0.0.0/8"]) == expected


@override_settings(TRUSTED_PROXIES=[NGINX])
def test_rotating_x_forwarded_for_does_not_escape_the_api_login_throttle(client_a):
    from django.core.cache import cache

    cache.clear()
    statuses = []
    for n in range(12):
        client = Client(HTTP_HOST="alpha.localhost", REMOTE_ADDR=NGINX,
                        HTTP_X_FORWARDED_FOR=f"10.9.{n}.1, 198.51.100.7")
        response = client.post("/api/v1/auth/token/", {"username": "nobody", "password": "x"},
                               content_type="application/json")
        statuses.append(response.status_code)
    assert statuses.count(429) >= 2  # 10/min for one client, however its header is dressed


@override_settings(TRUSTED_PROXIES=[NGINX])
def test_two_citizens_behind_nginx_are_two_clients_for_the_api_throttle(client_a):
    from django.core.cache import cache

    cache.clear()
    for _attempt in range(10):
        Client(HTTP_HOST="alpha.localhost", REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR="198.51.100.7").post(
            "/api/v1/auth/token/", {"username": "nobody", "password": "x"}, content_type="application/json")
    other = Client(HTTP_HOST="alpha.localhost", REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR="198.51.100.8")
    response = other.post("/api/v1/auth/token/", {"username": "nobody", "password": "x"},
                          content_type="application/json")
    assert response.status_code == 401  # not 429: the first citizen's bucket is not the second's


@override_settings(TRUSTED_PROXIES=[NGINX])
def test_axes_locks_the_attacker_not_the_account_for_everyone(in_town_a):
    from django.db import connection

    make_user(username="target-staff")
    connection.set_schema_to_public()
    for n in range(6):  # the attacker rotates a forged prefix; nginx appends the real address
        Client(HTTP_HOST="alpha.localhost", REMOTE_ADDR=NGINX,
               HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.66").post(
            "/accounts/login/", {"username": "target-staff", "password": "wrong"})
    attacker = Client(HTTP_HOST="alpha.localhost", REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR="198.51.100.66")
    locked = attacker.post("/accounts/login/", {"username": "target-staff", "password": PASSWORD})
    assert locked.status_code != 302  # the attacker is locked out, whatever prefix it forges
    owner = Client(HTTP_HOST="alpha.localhost", REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR="203.0.113.20")
    assert owner.post("/accounts/login/", {"username": "target-staff", "password": PASSWORD}).status_code == 302


def test_without_trusted_proxies_the_header_is_ignored(client_a):
    from services.complaints import rate_limit

    request = Client(HTTP_HOST="alpha.localhost").get("/").wsgi_request
    assert rate_limit.client_ip(request) == "127.0.0.1"
    forged = Client(HTTP_HOST="alpha.localhost", HTTP_X_FORWARDED_FOR="1.2.3.4").get("/").wsgi_request
    assert rate_limit.client_ip(forged) == "127.0.0.1"
