"""Deploys across 1,000 towns: one with nothing pending, one adding a column + index to a town table.

    DATABASE_URL=postgres://… .venv/bin/python bench/fleet_migrate.py [--towns 1000] [--jobs 4]

Both deploys run `manage.py migrate_fleet` in a fresh process, as `make migrate` does (the time
includes Python start-up, the public schema, the check of every town, the towns' work and the
template). For the second, a throw-away migration is written into services/common/migrations,
deployed, and removed again; the benchmark database is dropped at the end because its schemas
then carry that column. The stock `migrate_schemas --tenant` cost per town is sampled on 20 towns
and extrapolated. Results replace the "Onboarding: fleet deploys" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from _onboarding_setup import ROOT, drop_bench_database, ensure_towns, setup_django, write_section

MIGRATION = """from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("common", "{leaf}")]

    operations = [
        migrations.AddField("numberseries", "bench_note", models.CharField(max_length=40, default="", blank=True)),
        migrations.AddIndex("numberseries", models.Index(fields=["bench_note"], name="bench_fleet_note_idx")),
    ]
"""


def deploy(jobs: int) -> tuple[float, str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "platform")])}
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate_fleet", "--jobs", str(jobs)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=3600,
        check=False,
    )
    seconds = time.perf_counter() - started
    lines = [line for line in result.stdout.splitlines() if "towns:" in line or "behind" in line]
    if result.returncode != 0:
        raise SystemExit(result.stdout[-3000:] + result.stderr[-3000:])
    return seconds, " / ".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--towns", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--keep-database", action="store_true")
    args = parser.parse_args()
    setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    from tenants.models import Municipality

    fill = ensure_towns(args.towns)
    towns = Municipality.objects.count()

    sample = list(Municipality.objects.order_by("?").values_list("schema_name", flat=True)[:20])
    started = time.perf_counter()
    for schema in sample:
        call_command("migrate_schemas", tenant=True, schema_name=schema, interactive=False, verbosity=0)
    stock_per_town = (time.perf_counter() - started) / len(sample)
    connection.set_schema_to_public()

    idle, idle_out = deploy(args.jobs)
    leaf = max(
        name
        for app, name in MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes()
        if app == "common"
    )
    path = ROOT / "services" / "common" / "migrations" / "0999_bench_fleet_column.py"
    path.write_text(MIGRATION.format(leaf=leaf), encoding="utf-8")
    try:
        busy, busy_out = deploy(args.jobs)
    finally:
        path.unlink(missing_ok=True)
        for cache in Path(path.parent / "__pycache__").glob("0999_bench_fleet_column*"):
            cache.unlink()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE indexname = 'bench_fleet_note_idx'")
        indexed = cursor.fetchone()[0]
    body = f"""Command: `DATABASE_URL=… .venv/bin/python bench/fleet_migrate.py --towns {args.towns} --jobs {args.jobs}`
(run of {time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}; each deploy is `manage.py migrate_fleet` in a fresh process).

| deploy, {towns} towns | wall time | goal | what happened |
|---|---|---|---|
| nothing pending | {idle:.1f} s | < 30 s | {idle_out} |
| new column + index on a town table | {busy:.1f} s | < 120 s | {busy_out}; index present in {indexed} schemas |
| stock `migrate_schemas --tenant`, nothing pending (extrapolated) | {stock_per_town * towns:.0f} s | — | {stock_per_town * 1000:.0f} ms per town, sampled on {len(sample)} towns |

Filling the benchmark database to {towns} towns took {fill:.0f} s (template replay per town).
"""
    write_section("onboarding:fleet", "Onboarding: fleet deploys", body)
    print(body)
    if not args.keep_database:
        drop_bench_database()


if __name__ == "__main__":
    main()
