"""Shared set-up of the onboarding benchmarks: a database of their own, filled with towns.

The benchmarks never touch the developer's database: they use `<database>_bench` on the same
server (created if missing). Filler towns are real, complete schemas (replayed from the template)
with registry rows, so the catalog is as large as in production.
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "docs" / "benchmarks.md"


def staff_for_every_role(n: int) -> list[dict]:
    """The wizard's staff list for filler town n: one account for each role but the town admin."""
    from services.accounts.roles import ROLES

    return [
        {"name": f"เจ้าหน้าที่ {k} ทดสอบ", "email": f"staff{k}.{n}@example.org", "department": "office", "role": role.code}
        for k, role in enumerate(r for r in ROLES if r.code != "town_admin")
    ]


def bench_database_url() -> tuple[str, str, str]:
    # Remembered on first use: setup_django() points DATABASE_URL at the benchmark database.
    base = os.environ.get("THONGTHIN_BENCH_BASE_URL") or os.environ.get("DATABASE_URL")
    if not base:
        sys.path[:0] = [str(ROOT / "platform")]
        from config.embedded_db import database_url

        base = database_url()
    os.environ["THONGTHIN_BENCH_BASE_URL"] = base
    parts = urlparse(base)
    name = parts.path.lstrip("/") + "_bench"
    return urlunparse(parts._replace(path="/" + name)), name, base


def setup_django() -> None:
    url, name, base = bench_database_url()
    import psycopg

    parts = urlparse(base)
    admin_url = urlunparse(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url
    os.environ["DB_POOL_OFF"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path[:0] = [str(ROOT), str(ROOT / "platform")]
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)


def drop_bench_database() -> None:
    from django.db import connections

    connections.close_all()
    _url, name, base = bench_database_url()
    import psycopg

    parts = urlparse(base)
    with psycopg.connect(urlunparse(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _letters(n: int, width: int = 5) -> str:
    out = ""
    for _ in range(width):
        out = chr(65 + n % 26) + out
        n //= 26
    return out


def ensure_towns(count: int) -> float:
    """Top the database up to `count` towns with complete schemas; returns the seconds it took."""
    from onboarding.schema_template import ensure_template, replay_template
    from tenants.models import Municipality

    started = time.perf_counter()
    template = ensure_template()
    have = Municipality.objects.count()
    rows = []
    for i in range(have, count):
        slug = f"filler-{i:05d}"
        schema = "town_" + slug.replace("-", "_")
        replay_template(schema, template)
        rows.append(
            Municipality(
                slug=slug,
                schema_name=schema,
                short_code=_letters(i),
                name_th=f"อปท. ทดสอบ {i}",
                name_en=f"Filler {i}",
                kind="sao",
                lao_code=f"9{i:07d}",
                tax_id=f"{i:013d}",
                province="ชลบุรี",
                district="สัตหีบ",
                status="live",
                enabled_services=["complaints"],
            )
        )
        if len(rows) >= 100:
            Municipality.objects.bulk_create(rows)
            rows = []
    if rows:
        Municipality.objects.bulk_create(rows)
    return time.perf_counter() - started


def write_section(key: str, title: str, body: str) -> None:
    """Replace this benchmark's own section of docs/benchmarks.md (or append it)."""
    start, end = f"<!-- {key} -->", f"<!-- /{key} -->"
    section = f"{start}\n## {title}\n\n{body.rstrip()}\n{end}\n"
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmarks\n"
    if start in text and end in text:
        text = re.sub(re.escape(start) + r".*?" + re.escape(end) + r"\n?", lambda _m: section, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + section
    RESULTS.write_text(text, encoding="utf-8")
