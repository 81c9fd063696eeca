"""One Stop Service under load, with 500 towns in one database (loopback only, bounded in time).

    python bench/oss.py [--towns 500] [--seconds 20] [--threads 8] [--workers 4]

1. Builds a scratch database `<DATABASE_URL name>_ossbench`: the public schema by migrations, one
   template town by migrations, then the other towns by replaying the template's dumped schema
   (pg_dump of one town, schema name substituted), so 500 towns take minutes, not an hour.
2. Serves it with gunicorn on 127.0.0.1 (N sync workers).
3. Phase A — submissions: threads file complaints through the citizen form (CSRF and all) on random
   towns for a fixed time; reports submissions/s and latency percentiles.
4. Phase B — tracking page: sessions that looked up a code (code + last 4 phone digits) fetch
   the tracking page of random cases concurrently; reports requests/s and p50/p95/p99.
Results are written to docs/benchmarks.md under "One Stop Service (bench/oss.py)".
"""

from __future__ import annotations

import argparse
import collections
import http.client
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADING = "## One Stop Service (bench/oss.py)"
TEMPLATE_SCHEMA = "town_ossbenchtpl"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def bench_database_url() -> str:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/thongthin")
    parts = urllib.parse.urlsplit(base)
    name = parts.path.lstrip("/") or "thongthin"
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}_ossbench"))


def recreate_database(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    name = parts.path.lstrip("/")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def env_for(url: str, data_dir: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "THONGTHIN_DATA_DIR": data_dir,
        "DJANGO_DEBUG": "0",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "platform")]),
        "CELERY_BROKER_URL": "filesystem://",
        "THONGTHIN_TESTING": "0",
    }


def thai_tax_id(n: int) -> str:
    from services.common.thai_id import thai_id_check_digit

    first = f"0994{n:08d}"
    return first + str(thai_id_check_digit(first))


def short_code(n: int) -> str:
    letters = ""
    for _ in range(4):
        n, r = divmod(n, 26)
        letters = chr(65 + r) + letters
    return "Q" + letters


def build_towns(count: int, url: str) -> None:
    """Template town by migrations, the rest by replaying its dumped DDL and seed rows."""
    import django
    from django.db import connection

    django.setup()
    from services.complaints.models import OssSettings
    from tenants.models import Domain, Municipality

    started = time.perf_counter()
    template = Municipality(
        slug="qtpl",
        schema_name=TEMPLATE_SCHEMA,
        short_code=short_code(0),
        name_th="เทศบาลต้นแบบ",
        name_en="Template",
        kind="subdistrict",
        province="ชลบุรี",
        district="สัตหีบ",
        lao_code="05990000",
        tax_id=thai_tax_id(0),
        status="live",
        enabled_services=["complaints"],
        boundary={
            "type": "Polygon",
            "coordinates": [[[100.88, 12.73], [100.93, 12.73], [100.93, 12.78], [100.88, 12.78], [100.88, 12.73]]],
        },
    )
    template.save()  # creates and migrates the schema
    Domain.objects.create(domain="qtpl.localhost", tenant=template, is_primary=True)
    connection.set_tenant(template)
    OssSettings.objects.update(submissions_per_ip_per_hour=30000, submissions_per_phone_per_day=30000)
    import datetime as dt

    from services.complaints.sla import seed_holidays

    seed_holidays(dt.date.today().year)
    seed_holidays(dt.date.today().year + 1)
    connection.set_schema_to_public()
    log(f"template town by migrations: {time.perf_counter() - started:.1f} s")

    dump = subprocess.run(
        ["pg_dump", "--no-owner", "--no-privileges", "-n", TEMPLATE_SCHEMA, url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    dump = "\n".join(line for line in dump.splitlines() if not line.startswith("SELECT pg_catalog.set_config"))
    started = time.perf_counter()
    rows, domains = [], []
    batch = 50
    for start in range(1, count, batch):
        script = []
        for n in range(start, min(start + batch, count)):
            schema = f"town_q{n:04d}"
            script.append(dump.replace(TEMPLATE_SCHEMA, schema))
            rows.append(
                Municipality(
                    slug=f"q{n:04d}",
                    schema_name=schema,
                    short_code=short_code(n),
                    name_th=f"เทศบาลทดสอบ {n}",
                    name_en=f"Bench {n}",
                    kind="subdistrict",
                    province="ชลบุรี",
                    district="สัตหีบ",
                    lao_code=f"0599{n:04d}",
                    tax_id=thai_tax_id(n),
                    status="live",
                    enabled_services=["complaints"],
                    boundary=template.boundary,
                )
            )
        subprocess.run(
            ["psql", "-q", "-v", "ON_ERROR_STOP=1", url],
            input="\n".join(script),
            check=True,
            capture_output=True,
            text=True,
        )
    created = Municipality.objects.bulk_create(rows)
    for town in created:
        domains.append(Domain(domain=f"{town.slug}.localhost", tenant=town, is_primary=True))
    Domain.objects.bulk_create(domains)
    log(f"{count - 1} more towns by DDL replay: {time.perf_counter() - started:.1f} s")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Session:
    """One browser: keep-alive connection to 127.0.0.1, host-only cookies per town host."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, dict[str, str]] = {}

    def request(self, method: str, host: str, path: str, body: str | None = None) -> tuple[int, dict, bytes, float]:
        headers = {"Host": f"{host}:{self.port}"}
        jar = self.cookies.setdefault(host, {})
        if jar:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            raise
        elapsed = time.perf_counter() - started
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                jar[key.strip()] = rest.split(";", 1)[0]
        return response.status, dict(response.getheaders()), data, elapsed


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def bang_sare_point(host: str, rng: random.Random) -> tuple[float, float]:
    return 12.74 + rng.random() * 0.03, 100.89 + rng.random() * 0.03


def phase_submissions(port: int, hosts: list[str], seconds: float, threads: int, max_total: int, point=bang_sare_point):
    """Citizens file complaints through the form (CSRF and all) on random hosts, for a fixed time.

    `point(host, rng)` gives the pin's (latitude, longitude) inside that town's boundary. Returns the
    figures and the filed (host, tracking code, last four digits of the phone) for phase_tracking."""
    latencies: list[float] = []
    filed: list[tuple[str, str, str]] = []
    errors: collections.Counter = collections.Counter()
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds
    category_ids: dict[str, str] = {}

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        session = Session(port)
        while time.perf_counter() < deadline:
            with lock:
                if len(latencies) >= max_total:
                    return
            host = rng.choice(hosts)
            try:
                status, _, body, _ = session.request("GET", host, "/complaints/new/")
                token = session.cookies[host].get("csrftoken", "")
                if host not in category_ids:
                    found = re.search(rb'<option value="(\d+)"', body)
                    category_ids[host] = found.group(1).decode() if found else "1"
                phone = f"08{rng.randrange(10**8):08d}"
                latitude, longitude = point(host, rng)
                form = urllib.parse.urlencode(
                    {
                        "csrfmiddlewaretoken": token,
                        "category": category_ids[host],
                        "description": "ไฟทางดับหน้าบ้าน ทดสอบระบบ",
                        "latitude": f"{latitude:.6f}",
                        "longitude": f"{longitude:.6f}",
                        "reporter_name": "ผู้ทดสอบ",
                        "reporter_phone": phone,
                        "consent": "on",
                    }
                )
                status, headers, _, elapsed = session.request("POST", host, "/complaints/new/", form)
            except (http.client.HTTPException, OSError) as exc:
                with lock:
                    errors[type(exc).__name__] += 1
                continue
            with lock:
                if status == 302 and "/track/" in headers.get("Location", ""):
                    latencies.append(elapsed)
                    code = headers["Location"].split("/track/")[1].split("/")[0]
                    filed.append((host, code, phone[-4:]))
                else:
                    errors[f"status {status}"] += 1

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    wall = time.perf_counter() - started
    return {
        "count": len(latencies),
        "seconds": wall,
        "per_second": len(latencies) / wall,
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
        "p50_ms": percentile(latencies, 50) * 1000,
        "p95_ms": percentile(latencies, 95) * 1000,
    }, filed


def phase_tracking(port: int, filed: list, seconds: float, threads: int, max_total: int):
    latencies: list[float] = []
    errors = [0]
    kinds: collections.Counter = collections.Counter()
    lock = threading.Lock()
    sample = random.Random(7).sample(filed, min(len(filed), 15 * threads))
    sessions: list[tuple[Session, list]] = []
    per_session = max(1, len(sample) // threads)
    for index in range(threads):
        session = Session(port)
        mine = sample[index * per_session : (index + 1) * per_session] or sample[:1]
        for host, code, last4 in mine:
            session.request("GET", host, "/complaints/track/")
            token = session.cookies[host].get("csrftoken", "")
            form = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "tracking_code": code, "phone_last4": last4})
            status, _, _, _ = session.request("POST", host, "/complaints/track/", form)
            if status != 302:
                errors[0] += 1
                kinds[f"look-up {status}"] += 1
        sessions.append((session, mine))
    deadline = time.perf_counter() + seconds

    def worker(session: Session, mine: list, seed: int) -> None:
        rng = random.Random(seed)
        while time.perf_counter() < deadline:
            with lock:
                if len(latencies) >= max_total:
                    return
            host, code, _ = rng.choice(mine)
            try:
                status, _, body, elapsed = session.request("GET", host, f"/complaints/track/{code}/")
            except (http.client.HTTPException, OSError) as exc:
                with lock:
                    errors[0] += 1
                    kinds[type(exc).__name__] += 1
                continue
            with lock:
                if status == 200 and code.encode() in body:
                    latencies.append(elapsed)
                else:
                    errors[0] += 1
                    kinds[f"page {status}"] += 1

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(s, m, i)) for i, (s, m) in enumerate(sessions)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    wall = time.perf_counter() - started
    return {
        "count": len(latencies),
        "seconds": wall,
        "per_second": len(latencies) / wall,
        "errors": errors[0],
        "error_kinds": dict(kinds),
        "p50_ms": percentile(latencies, 50) * 1000,
        "p95_ms": percentile(latencies, 95) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "mean_ms": statistics.fmean(latencies) * 1000 if latencies else float("nan"),
    }


def write_results(text: str) -> None:
    path = ROOT / "docs" / "benchmarks.md"
    content = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"{re.escape(HEADING)}\n.*?(?=\n## |\Z)", re.S)
    section = f"{HEADING}\n{text.rstrip()}\n"
    content = pattern.sub(section, content) if pattern.search(content) else content.rstrip() + "\n\n" + section
    path.write_text(content, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--towns", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--max-requests", type=int, default=20000)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("REDIS_URL", ""),
        help="the shared cache the server uses, as in production (default: $REDIS_URL; else files under the data dir)",
    )
    args = parser.parse_args()

    url = bench_database_url()
    data_dir = tempfile.mkdtemp(prefix="ossbench-")
    os.environ.update(env_for(url, data_dir))
    if args.redis_url:
        os.environ["REDIS_URL"] = args.redis_url
    sys.path[:0] = [str(ROOT), str(ROOT / "platform")]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

    log(f"scratch database {urllib.parse.urlsplit(url).path.lstrip('/')}")
    recreate_database(url)
    subprocess.run(
        [sys.executable, "manage.py", "migrate_schemas", "--shared", "-v", "0"],
        cwd=ROOT,
        env=os.environ,
        check=True,
    )
    build_started = time.perf_counter()
    build_towns(args.towns, url)
    build_seconds = time.perf_counter() - build_started

    port = free_port()
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    server = subprocess.Popen(
        [
            gunicorn,
            "config.wsgi:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(args.workers),
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, "DB_POOL_MAX": "4"},
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        hosts = ["qtpl.localhost"] + [f"q{n:04d}.localhost" for n in range(1, args.towns)]
        log("warm-up")
        phase_submissions(port, random.Random(1).sample(hosts, min(50, len(hosts))), 3, args.threads, 300)
        log(f"phase A: submissions for {args.seconds:.0f} s, {args.threads} threads")
        submissions, filed = phase_submissions(port, hosts, args.seconds, args.threads, args.max_requests)
        log(f"  {submissions}")
        log(f"phase B: tracking page for {args.seconds:.0f} s, {args.threads} threads")
        load_before = os.getloadavg()[0]
        tracking = phase_tracking(port, filed, args.seconds, args.threads, args.max_requests)
        load_after = os.getloadavg()[0]
        log(f"  {tracking}")
        log("phase C: tracking page, one session at a time (service time without queueing)")
        single = phase_tracking(port, filed, args.seconds / 2, 1, args.max_requests)
        log(f"  {single}")
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(data_dir, ignore_errors=True)

    verdict = "met" if tracking["p95_ms"] < 100 else "NOT met"
    sub, trk = submissions, tracking
    rows = [
        (
            f"submissions (citizen form POST, random town of {args.towns}, {args.threads} threads)",
            f"{sub['count']} in {sub['seconds']:.1f} s = **{sub['per_second']:.1f} /s**",
        ),
        ("submission latency p50 / p95", f"{sub['p50_ms']:.0f} ms / {sub['p95_ms']:.0f} ms"),
        ("submission errors", str(sub["errors"])),
        (
            f"tracking page (GET, {args.threads} concurrent sessions, random towns)",
            f"{trk['count']} in {trk['seconds']:.1f} s = {trk['per_second']:.1f} /s",
        ),
        ("tracking page p50 / p95 / p99", f"{trk['p50_ms']:.1f} / **{trk['p95_ms']:.1f}** / {trk['p99_ms']:.1f} ms"),
        ("tracking page errors", f"{trk['errors']} {trk.get('error_kinds') or ''}".strip()),
        (
            "tracking page, 1 session (no queueing) p50 / p95",
            f"{single['p50_ms']:.1f} / {single['p95_ms']:.1f} ms ({single['per_second']:.0f} /s)",
        ),
        ("machine load average (1 min) before / after phase B", f"{load_before:.1f} / {load_after:.1f}"),
    ]
    command = (
        f"{'REDIS_URL=redis://… ' if args.redis_url else ''}python bench/oss.py --towns {args.towns} "
        f"--seconds {args.seconds:.0f} --threads {args.threads} --workers {args.workers}"
    )
    text = "\n".join(
        [
            f"Command: `{command}`",
            f"({time.strftime('%Y-%m-%d')}; {os.cpu_count()} cores shared by the load generator, gunicorn "
            f"({args.workers} sync workers on 127.0.0.1) and PostgreSQL; cache "
            f"{'Redis (as in production)' if args.redis_url else 'files (no cache server)'}; scratch database with {args.towns} town "
            f"schemas, built in {build_seconds:.0f} s by migrating one template town and replaying its dumped "
            "schema for the others.)",
            "",
            "| measure | value |",
            "|---|---|",
            *[f"| {name} | {value} |" for name, value in rows],
            "",
            f"Goal p95 of the tracking page < 100 ms: **{verdict}**.",
            "",
            "Reading the figures: the machine's 2 cores serve the load generator, gunicorn and PostgreSQL at",
            "once (and other work when the load average is above 2), so p95 under concurrency is mostly",
            "queueing for a core; the one-session row is the server's own cost per page. Requests go to random",
            "towns, so many are a connection's first touch of that town's schema (catalog cache misses).",
        ]
    )
    print(text)
    if not args.no_write:
        write_results(text)


if __name__ == "__main__":
    main()
