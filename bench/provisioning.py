"""From "provision" to a live town, with 500 towns already present: our template replay vs migrations.

    DATABASE_URL=postgres://… .venv/bin/python bench/provisioning.py [--towns 500] [--runs 40]

Each run goes through the real pipeline (register_town + run_job: schema, roles, settings,
departments, service hooks, 10 staff accounts, go-live); e-mails are excluded (the invitations
step is skipped). The migrations runs use the same pipeline with the template refused, i.e. the
fallback path. Results replace the "Onboarding: provisioning" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

from _onboarding_setup import ensure_towns, setup_django, write_section


def town_spec(n: int) -> dict:
    from onboarding.service_defaults import default_service_settings
    from services.common.thai_id import thai_id_check_digit

    first = f"0995{n:08d}"
    tax_id = first + str(thai_id_check_digit(first))
    services = default_service_settings(tax_id)
    services["correspondence"]["letter_prefix"] = "ชบ 52105"
    staff = [{"name": f"เจ้าหน้าที่ {k} ทดสอบ", "email": f"staff{k}.{n}@example.org", "department": "office",
              "role": role} for k, role in enumerate(["officer", "oss_officer", "finance_officer", "saraban_clerk",
                                                       "building_engineer", "public_health_officer", "executive",
                                                       "department_head", "bbuddy_volunteer"])]
    return {
        "name_th": f"เทศบาลตำบลวัดผล {n}", "name_en": f"Bench Town {n}", "short_code": "Q" + "".join(
            chr(65 + (n // 26 ** k) % 26) for k in range(3)),
        "kind": "subdistrict", "lao_code": f"052009{n % 100:02d}", "province_code": "20", "district_code": "2009",
        "tax_id": tax_id, "address": "อำเภอสัตหีบ จังหวัดชลบุรี", "phone": "038123456", "email": f"o{n}@example.org",
        "slug": f"bench-{n}", "boundary": {"type": "Polygon", "coordinates": [[[100.88, 12.73], [100.9, 12.73], [100.9, 12.75], [100.88, 12.75], [100.88, 12.73]]]},
        "communities": ["ชุมชน 1", "ชุมชน 2"], "services": services,
        "departments": [{"code": "office", "name_th": "สำนักปลัด"}, {"code": "finance", "name_th": "กองคลัง"},
                        {"code": "engineering", "name_th": "กองช่าง"}, {"code": "health", "name_th": "กองสาธารณสุข"}],
        "admin": {"first_name": "ผู้ดูแล", "last_name": "ระบบ", "email": f"admin.{n}@example.org"},
        "staff": staff, "branding": {"colour": "#0b5394", "welcome_th": "ยินดีต้อนรับ"},
    }


def provision(n: int) -> tuple[float, float, str]:
    from onboarding.actions import register_town
    from onboarding.pipeline import run_job

    started = time.perf_counter()
    job = register_town(spec=town_spec(n))
    job = run_job(job.pk, send_invitations=False)
    total = time.perf_counter() - started
    assert job.status == "done", job.error
    assert job.municipality.__class__.objects.get(pk=job.municipality_id).status == "live"
    return total, job.step("schema")["seconds"], job.method


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--towns", type=int, default=500)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--migration-runs", type=int, default=10)
    args = parser.parse_args()
    setup_django()
    from onboarding import schema_template
    from tenants.models import Municipality

    Municipality.objects.filter(slug__startswith="bench-").delete()  # earlier runs (their schemas go below)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'town_bench_%'")
        for (schema,) in cursor.fetchall():
            cursor.execute(f'DROP SCHEMA "{schema}" CASCADE')
    fill_seconds = ensure_towns(args.towns)
    present = Municipality.objects.count()
    template = schema_template.ensure_template()

    ours, ours_schema, methods = [], [], set()
    for i in range(args.runs):
        total, schema_seconds, method = provision(1 + i)
        ours.append(total)
        ours_schema.append(schema_seconds)
        methods.add(method)
    assert methods == {"template"}, methods

    def refuse(*_args, **_kwargs):
        raise schema_template.StaleTemplate("benchmark: migrations path")

    original = schema_template.current_template
    schema_template.current_template = refuse
    slow, slow_schema = [], []
    try:
        for i in range(args.migration_runs):
            total, schema_seconds, method = provision(50 + i)
            assert method == "migrations", method
            slow.append(total)
            slow_schema.append(schema_seconds)
    finally:
        schema_template.current_template = original

    p50, slow_p50 = statistics.median(ours), statistics.median(slow)
    body = f"""Command: `DATABASE_URL=… .venv/bin/python bench/provisioning.py --towns {args.towns} --runs {args.runs}`
(machine: {platform.machine()}, Python {platform.python_version()}, PostgreSQL on 127.0.0.1; run of {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}).

Time from "provision" to a live town through the real pipeline (register, schema, roles, settings,
4 departments, service hooks, 10 staff accounts, go-live; e-mails excluded), with {present} towns
already in the database. Template: {template.table_count} tables, {template.statement_count} statements.

| method | runs | p50 | p95 | max | schema step p50 |
|---|---|---|---|---|---|
| template replay (ours) | {len(ours)} | {p50 * 1000:.0f} ms | {percentile(ours, .95) * 1000:.0f} ms | {max(ours) * 1000:.0f} ms | {statistics.median(ours_schema) * 1000:.0f} ms |
| plain migrations (fallback) | {len(slow)} | {slow_p50 * 1000:.0f} ms | {percentile(slow, .95) * 1000:.0f} ms | {max(slow) * 1000:.0f} ms | {statistics.median(slow_schema) * 1000:.0f} ms |

Speed-up at p50: **{slow_p50 / p50:.1f}×** (goal ≥ 10×); goal p50 < 500 ms: **{'met' if p50 < 0.5 else 'NOT met'}**.
Filling the database to {present} towns took {fill_seconds:.0f} s. The migration count is still small
(foundation only: {len(schema_template.expected_tenant_migrations())} migrations); the migrations path grows with every
service migration while replay stays one script.
"""
    write_section("onboarding:provisioning", "Onboarding: provisioning a town", body)
    print(body)


if __name__ == "__main__":
    main()
