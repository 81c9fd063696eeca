"""Shared start-up for benchmark scripts: Django on a database of the benchmark's own.

The benchmark database lives on the same server as DATABASE_URL (or the embedded one) under
the name `<name>_bench_<script>`, is created when missing and dropped at the end unless
BENCH_KEEP_DB=1. Results go into docs/benchmarks.md between markers named after the script.
"""

from __future__ import annotations

import os
import platform as stdlib_platform
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "platform")]


def start_django(bench_name: str) -> str:
    """Point Django at a fresh benchmark database and set it up; returns the database name."""
    import psycopg

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DB_POOL_OFF", "1")
    if not os.environ.get("DATABASE_URL"):
        sys.path.insert(0, str(ROOT / "platform"))
        from config.embedded_db import database_url

        os.environ["DATABASE_URL"] = database_url()
    base_url = os.environ["DATABASE_URL"]
    name = f"thongthin_bench_{bench_name}"
    admin_url = re.sub(r"/[^/?]+(\?|$)", r"/postgres\1", base_url, count=1)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = re.sub(r"/[^/?]+(\?|$)", rf"/{name}\1", base_url, count=1)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate_schemas", "--shared", verbosity=0)
    return name


def drop_database(name: str) -> None:
    if os.environ.get("BENCH_KEEP_DB") == "1":
        return
    import psycopg
    from django.db import connections

    connections.close_all()
    admin_url = re.sub(r"/[^/?]+(\?|$)", r"/postgres\1", os.environ["DATABASE_URL"], count=1)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def machine() -> str:
    return f"{os.cpu_count()} cores, Python {stdlib_platform.python_version()}, {stdlib_platform.machine()}"


def write_section(marker: str, text: str) -> None:
    """Replace (or append) the block between <!-- marker --> comments in docs/benchmarks.md."""
    path = ROOT / "docs" / "benchmarks.md"
    content = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    begin, end = f"<!-- {marker}:begin -->", f"<!-- {marker}:end -->"
    block = f"{begin}\n{text.strip()}\n{end}"
    if begin in content:
        content = re.sub(re.escape(begin) + r".*?" + re.escape(end), lambda _m: block, content, flags=re.S)
    else:
        content = content.rstrip() + "\n\n" + block + "\n"
    path.write_text(content, encoding="utf-8")
