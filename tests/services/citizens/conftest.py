"""A real OpenID provider (the local ThaiD, services/citizens/local_provider.py) in its own process on
a loopback port, and each test town registered with it as its own client."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

VALID_ID = "1101700230708"      # check digit right
OTHER_ID = "3100600123450"


def valid_id(first_twelve: str) -> str:
    from services.common.thai_id import thai_id_check_digit

    return first_twelve + str(thai_id_check_digit(first_twelve))


class Provider:
    def __init__(self, port: int) -> None:
        self.port = port
        self.issuer = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> Provider:
        self.proc = subprocess.Popen(
            [sys.executable, "manage.py", "digital_id_provider", "--port", str(self.port)],
            cwd=str(settings.BASE_DIR), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                self.get("/.well-known/openid-configuration")
                return self
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(self.proc.stdout.read()) from None
                time.sleep(0.2)
        raise RuntimeError("the local digital ID provider did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)

    def get(self, path: str) -> dict:
        with urllib.request.urlopen(self.issuer + path, timeout=5) as response:  # noqa: S310 (loopback http)
            return json.loads(response.read())

    def post(self, path: str, data: dict) -> dict:
        request = urllib.request.Request(  # noqa: S310 (loopback http)
            self.issuer + path, data=json.dumps(data).encode(), method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (loopback http)
            return json.loads(response.read())

    def misbehave(self, mode: str) -> None:
        self.post("/_control/misbehave", {"mode": mode})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def local_thaid():
    provider = Provider(_free_port()).start()
    for slug in ("alpha", "beta"):
        provider.post("/_control/clients", {
            "client_id": f"{slug}-thaid", "client_secret": f"{slug}-secret",
            "redirect_uris": [f"http://{slug}.localhost/accounts/digital-id/callback/"],
        })
    yield provider
    provider.stop()


@pytest.fixture
def thaid(local_thaid):
    local_thaid.misbehave("")
    cache.clear()
    yield local_thaid
    local_thaid.misbehave("")


def register(town, provider: Provider, *, client_id: str | None = None, secret: str | None = None):
    """The town's ThaiD registration, written in the town's schema."""
    from services.citizens.models import DigitalIdProvider

    connection.set_tenant(town)
    try:
        return DigitalIdProvider.objects.update_or_create(kind="thaid", defaults={
            "issuer": provider.issuer, "client_id": client_id or f"{town.slug}-thaid",
            "client_secret": secret or f"{town.slug}-secret",
        })[0]
    finally:
        connection.set_schema_to_public()
