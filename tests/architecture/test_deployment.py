"""The compose deployment: web behind PgBouncer in transaction mode, sessions only where needed."""

from __future__ import annotations

import configparser
from pathlib import Path

import yaml

INFRA = Path(__file__).resolve().parents[2] / "infra"


def _services() -> dict:
    return yaml.safe_load((INFRA / "compose.yaml").read_text(encoding="utf-8"))["services"]


def test_web_reaches_postgresql_through_pgbouncer_with_transaction_pooling_on():
    web = _services()["web"]["environment"]
    assert "@pgbouncer:6432/" in web["DATABASE_URL"]
    assert web["DB_TRANSACTION_POOLING"] == "1"


def test_pgbouncer_pools_by_transaction_and_retires_server_connections():
    ini = configparser.ConfigParser()
    ini.read(INFRA / "pgbouncer" / "pgbouncer.ini", encoding="utf-8")
    assert ini["pgbouncer"]["pool_mode"] == "transaction"
    # Bounds each backend's catalog cache (a server connection serves many towns' transactions).
    assert 0 < int(ini["pgbouncer"]["server_lifetime"]) <= 600
    assert "extra_float_digits" in ini["pgbouncer"]["ignore_startup_parameters"]


def test_jobs_that_hold_advisory_locks_across_transactions_connect_directly():
    services = _services()
    for name in ("worker", "beat", "migrate"):
        url = services[name]["environment"]["DATABASE_URL"]
        assert "@postgres:5432/" in url, name
        assert services[name]["environment"].get("DB_TRANSACTION_POOLING") != "1", name
