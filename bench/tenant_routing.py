"""Host → town resolution with 1,000 towns registered: our cached middleware vs the stock one.

Measures, in one run:
  1. time spent resolving the town per request (median, p95) and the queries it makes, warm;
  2. requests per second of a small portal page through the full Django stack (in process,
     no network), with our TownRoutingMiddleware and with django-tenants' TenantMainMiddleware.

Run: `make bench` or `.venv/bin/python bench/tenant_routing.py` (DATABASE_URL optional).
"""

from __future__ import annotations

import random
import statistics
import time

from _setup import drop_database, machine, start_django, write_section

TOWNS = 1_000
REAL_SCHEMAS = 5  # towns whose pages are requested get real schemas; the rest are registry rows
RESOLUTIONS = 20_000
REQUESTS = 3_000


def register_towns() -> list[str]:
    from tenants.models import Domain, Municipality

    real = []
    for i in range(REAL_SCHEMAS):
        town = Municipality(slug=f"real{i:03d}", short_code=f"RL{chr(65 + i)}", name_th=f"เทศบาลทดสอบ {i}",
                            name_en=f"Bench {i}", kind="subdistrict", lao_code=f"0599{i:04d}",
                            tax_id=_tax_id(i), province="ชลบุรี", district="สัตหีบ", status="live",
                            enabled_services=["complaints", "payments"])
        town.save(verbosity=0)
        Domain.objects.create(domain=f"real{i:03d}.localhost", tenant=town, is_primary=True)
        real.append(f"real{i:03d}.localhost")
    rows = [
        Municipality(slug=f"town{i:04d}", schema_name=f"town_town{i:04d}", short_code=_letters(i),
                     name_th=f"เทศบาล {i}", name_en=f"Town {i}", kind="sao", lao_code=f"06{i:06d}",
                     tax_id=_tax_id(1000 + i), province="ชลบุรี", district="สัตหีบ", status="live")
        for i in range(TOWNS - REAL_SCHEMAS)
    ]
    Municipality.objects.bulk_create(rows, batch_size=500)
    Domain.objects.bulk_create(
        [Domain(domain=f"{t.slug}.localhost", tenant=t, is_primary=True) for t in Municipality.objects.filter(slug__startswith="town")],
        batch_size=500,
    )
    return real


def _letters(i: int) -> str:
    letters = ""
    for _ in range(4):
        i, r = divmod(i, 26)
        letters += chr(65 + r)
    return "T" + letters


def _tax_id(i: int) -> str:
    from services.common.thai_id import thai_id_check_digit

    first = f"0994{i:08d}"
    return first + str(thai_id_check_digit(first))


def measure_resolution(hosts: list[str]) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tenants.directory import directory

    for host in hosts:
        directory.resolve(host)  # warm
    sample = [random.choice(hosts) for _ in range(RESOLUTIONS)]
    timings = []
    with CaptureQueriesContext(connection) as queries:
        for host in sample:
            start = time.perf_counter_ns()
            directory.resolve(host)
            timings.append(time.perf_counter_ns() - start)
    timings.sort()
    return {"median_ms": statistics.median(timings) / 1e6, "p95_ms": timings[int(len(timings) * 0.95)] / 1e6,
            "queries": len(queries)}


def measure_stock_lookup(hosts: list[str]) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django_tenants.utils import get_tenant_domain_model

    domain_model = get_tenant_domain_model()
    timings = []
    with CaptureQueriesContext(connection) as queries:
        for host in [random.choice(hosts) for _ in range(2_000)]:
            start = time.perf_counter_ns()
            found = domain_model.objects.select_related("tenant").get(domain=host).tenant
            assert found is not None
            timings.append(time.perf_counter_ns() - start)
    return {"median_ms": statistics.median(timings) / 1e6, "queries_per_request": len(queries) / 2_000}


def requests_per_second(middleware_path: str, hosts: list[str]) -> tuple[float, float]:
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import override_settings

    middleware = [middleware_path, *settings.MIDDLEWARE[1:]]
    with override_settings(MIDDLEWARE=middleware):
        handler = WSGIHandler()
        import io

        def call(host: str) -> int:
            environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "SERVER_NAME": host, "SERVER_PORT": "80",
                       "HTTP_HOST": host, "wsgi.input": io.BytesIO(b""), "wsgi.url_scheme": "http",
                       "wsgi.errors": io.StringIO(), "REMOTE_ADDR": "127.0.0.1"}
            status = {}

            def start_response(s, headers, exc_info=None):
                status["code"] = int(s.split()[0])

            body = b"".join(handler(environ, start_response))
            assert status["code"] == 200, (status, body[:300])
            return status["code"]

        for host in hosts:
            call(host)
        timings = []
        start = time.perf_counter()
        for i in range(REQUESTS):
            t0 = time.perf_counter()
            call(hosts[i % len(hosts)])
            timings.append(time.perf_counter() - t0)
        elapsed = time.perf_counter() - start
    return REQUESTS / elapsed, statistics.median(timings) * 1000


def main() -> None:
    name = start_django("routing")
    try:
        hosts = register_towns()
        from tenants.models import Municipality

        all_hosts = [f"{slug}.localhost" for slug in Municipality.objects.values_list("slug", flat=True)]
        ours = measure_resolution(all_hosts)
        stock = measure_stock_lookup(all_hosts)
        ours_rps, ours_ms = requests_per_second("tenants.middleware.TownRoutingMiddleware", hosts)
        stock_rps, stock_ms = requests_per_second("django_tenants.middleware.main.TenantMainMiddleware", hosts)
    finally:
        drop_database(name)
    text = f"""
## Tenant routing (`bench/tenant_routing.py`)

{TOWNS:,} towns registered; {machine()}; command: `.venv/bin/python bench/tenant_routing.py`.

| measure | ours (cached) | stock django-tenants |
|---|---|---|
| resolve town per request, median | {ours['median_ms']:.4f} ms | {stock['median_ms']:.3f} ms |
| resolve town per request, p95 | {ours['p95_ms']:.4f} ms | — |
| queries per request for routing (warm) | {ours['queries'] / RESOLUTIONS:.0f} | {stock['queries_per_request']:.0f} |
| portal page, requests per second (in process, sequential) | {ours_rps:,.0f} | {stock_rps:,.0f} |
| portal page, median latency | {ours_ms:.2f} ms | {stock_ms:.2f} ms |

Goal: median under 0.05 ms with zero queries — {"met" if ours['median_ms'] < 0.05 and ours['queries'] == 0 else "NOT met"}.
"""
    print(text)
    write_section("tenant-routing", text)


if __name__ == "__main__":
    main()
