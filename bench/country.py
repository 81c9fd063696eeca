"""The whole country on one deployment: 7,850 towns in one PostgreSQL database, measured.

    DATABASE_URL=postgres://…/anything .venv/bin/python bench/country.py --towns 7850 [--stage all]

Runs against a database of its own on the same server (default `tt_country`, --database), never
the developer's. Stages, in order; each is resumable (run it again and it goes on from where it
was killed), and `--stage all` runs those not finished yet:

  setup      public schema by migrations, the town template, the warm pool
  provision  every town but the last --timing-runs through the real pipeline
             (onboarding.bulk.provision_many: register, schema from the warm pool, roles,
             settings, departments, service hooks, 10 staff accounts, go-live), while
             --refillers processes refill the pool in parallel; per-town times logged
  timing     the last --timing-runs towns with the pool full (provisioning p50/p95 at N present),
             the template replay alone, and the refill rate of the pool
  load       gunicorn on 127.0.0.1: complaint filing, then the tracking page, across random towns
             of all N (bounded in time and count), sampling PostgreSQL backend and web worker memory
  disk       disk per empty town, pg_class rows, pg_dump of one town, the nightly backup
  deploy     migrate_fleet with nothing pending, then with one new column + index on a town table
             (last: afterwards every town carries the column)
  report     the figures beside the 1,000-town ones into docs/benchmarks.md

State (stage results, per-town log, refill log) lives in --state-dir (default
~/.cache/thongthin/<database>), outside the repository.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "platform")]

STAGES = ["setup", "provision", "timing", "load", "disk", "deploy", "report"]
SLUG_PREFIX = "c"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", flush=True)


# --- database and state ---------------------------------------------------------------------------


def database_urls(name: str) -> tuple[str, str]:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    parts = urllib.parse.urlsplit(base)
    return (
        urllib.parse.urlunsplit(parts._replace(path=f"/{name}")),
        urllib.parse.urlunsplit(parts._replace(path="/postgres")),
    )


class State:
    """Finished stages and their figures, as JSON in the state directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / "stages.json"
        self.data = json.loads(self.path.read_text()) if self.path.exists() else {}

    def done(self, stage: str) -> bool:
        return bool(self.data.get(stage, {}).get("finished_at"))

    def save(self, stage: str, figures: dict) -> None:
        self.data[stage] = {**figures, "finished_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, indent=1, ensure_ascii=False))
        tmp.replace(self.path)


def start_django(url: str, admin_url: str) -> None:
    import psycopg

    name = urllib.parse.urlsplit(url).path.lstrip("/")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url
    os.environ["DB_POOL_OFF"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def machine_load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f} (1 min) / {five:.1f} (5 min)"


# --- the towns --------------------------------------------------------------------------------------


def districts() -> list[tuple[str, str]]:
    """(province code, district code) of every district of the country, in a fixed order."""
    import geothai

    return [(p.code, d.code) for p in geothai.provinces() for d in geothai.districts(p.code)]


def slug_for(n: int) -> str:
    return f"{SLUG_PREFIX}{n:05d}"


def square_for(n: int) -> tuple[float, float, float]:
    """(west, south, size) of town n's boundary: a grid of small squares over central Thailand
    (lon 99.8–102.8 °E, lat 14.5–16.5 °N, all land), so no two towns overlap."""
    col, row = n % 150, n // 150
    return 99.8 + col * 0.02, 14.5 + row * 0.02, 0.015


def town_spec(n: int, places: list[tuple[str, str]]) -> dict:
    from _onboarding_setup import staff_for_every_role

    from onboarding.service_defaults import default_service_settings
    from services.common.thai_id import thai_id_check_digit

    province, district = places[n % len(places)]
    sequence = n // len(places)
    first = f"0993{n:08d}"
    tax_id = first + str(thai_id_check_digit(first))
    services = default_service_settings(tax_id)
    services["correspondence"]["letter_prefix"] = f"ทถ {n:05d}"
    west, south, size = square_for(n)
    letters = "".join(chr(65 + (n // 26**k) % 26) for k in (2, 1, 0))
    return {
        "name_th": f"เทศบาลตำบลทดสอบ {n}",
        "name_en": f"Country Town {n}",
        "short_code": "C" + letters,
        "kind": "subdistrict",
        "lao_code": f"05{province}{district[2:4]}{sequence:02d}",
        "province_code": province,
        "district_code": district,
        "tax_id": tax_id,
        "address": "สำนักงานเทศบาล",
        "phone": "038123456",
        "email": f"office{n}@example.org",
        "slug": slug_for(n),
        "boundary": {
            "type": "Polygon",
            "coordinates": [
                [
                    [west, south],
                    [west + size, south],
                    [west + size, south + size],
                    [west, south + size],
                    [west, south],
                ]
            ],
        },
        "communities": ["ชุมชน 1", "ชุมชน 2"],
        "services": services,
        "departments": [
            {"code": "office", "name_th": "สำนักปลัด"},
            {"code": "finance", "name_th": "กองคลัง"},
            {"code": "engineering", "name_th": "กองช่าง"},
            {"code": "health", "name_th": "กองสาธารณสุข"},
        ],
        "admin": {"first_name": "ผู้ดูแล", "last_name": "ระบบ", "email": f"admin.{n}@example.org"},
        "staff": staff_for_every_role(n),
        "branding": {"colour": "#0b5394", "welcome_th": "ยินดีต้อนรับ"},
    }


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# --- stage: setup -----------------------------------------------------------------------------------


def stage_setup(args, state: State) -> None:
    from django.core.management import call_command

    from onboarding import schema_template

    started = time.perf_counter()
    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    template = schema_template.ensure_template()
    state.save(
        "setup",
        {
            "seconds": round(time.perf_counter() - started, 1),
            "template_tables": template.table_count,
            "template_statements": template.statement_count,
        },
    )


# --- stage: provision (with parallel pool refill) ---------------------------------------------------


def refill_worker(args) -> None:
    """Keep the warm pool at --pool ready schemas until the stop file appears (or the parent dies).

    The same work as onboarding's refill_pool, one schema at a time so that each is timed."""
    import uuid

    from django.db import connections, transaction

    from onboarding import schema_template
    from onboarding.models import ReadySchema

    stop = Path(args.state_dir) / "refill.stop"
    out = (Path(args.state_dir) / "refill.csv").open("a", buffering=1)
    parent = os.getppid()
    template = schema_template.current_template()
    made = 0
    while not stop.exists() and os.getppid() == parent:
        if ReadySchema.objects.count() >= args.pool:
            time.sleep(0.1)
            continue
        started = time.perf_counter()
        name = schema_template.POOL_PREFIX + uuid.uuid4().hex[:16]
        with transaction.atomic():
            schema_template.replay_template(name, template)
            ReadySchema.objects.create(schema_name=name, fingerprint=template.fingerprint)
        made += 1
        out.write(f"{time.time():.3f},{os.getpid()},{time.perf_counter() - started:.4f}\n")
        if made % 100 == 0:
            connections.close_all()  # bound this backend's catalog cache
    out.close()


def start_refillers(args) -> list[subprocess.Popen]:
    stop = Path(args.state_dir) / "refill.stop"
    stop.unlink(missing_ok=True)
    command = [
        sys.executable,
        __file__,
        "--database",
        args.database,
        "--state-dir",
        args.state_dir,
        "--pool",
        str(args.pool),
        "--stage",
        "refill-worker",
    ]
    return [subprocess.Popen(command, env=os.environ.copy()) for _ in range(args.refillers)]


def stop_refillers(args, workers: list[subprocess.Popen]) -> None:
    (Path(args.state_dir) / "refill.stop").touch()
    for worker in workers:
        try:
            worker.wait(timeout=120)
        except subprocess.TimeoutExpired:
            worker.terminate()
            worker.wait(timeout=30)


def provision_range(args, first: int, last: int, log_name: str) -> dict:
    from onboarding.bulk import provision_many
    from onboarding.models import ReadySchema
    from tenants.models import Municipality, MunicipalityStatus

    places = districts()
    live = Municipality.objects.filter(status=MunicipalityStatus.LIVE).count()
    todo = [n for n in range(first, last)]
    done = set(
        Municipality.objects.filter(slug__in=[slug_for(n) for n in todo], status=MunicipalityStatus.LIVE).values_list(
            "slug", flat=True
        )
    )
    todo = [n for n in todo if slug_for(n) not in done and n % args.shards == args.shard]
    log(f"{log_name}: {len(done)} of {last - first} already live, {len(todo)} to go ({live} towns live)")
    path = Path(args.state_dir) / f"{log_name}.csv"
    failures_path = Path(args.state_dir) / "failures.jsonl"
    counter = {"live": live, "withdrawn": 0, "since": time.perf_counter(), "batch": 0}
    with path.open("a", buffering=1) as out, failures_path.open("a", buffering=1) as failures:
        writer = csv.writer(out)

        def on_outcome(outcome) -> None:
            if outcome.state == "live":
                counter["live"] += 1
                counter["batch"] += 1
                if args.shards > 1 and counter["batch"] % 25 == 0:  # the other shards' towns too
                    counter["live"] = Municipality.objects.filter(status=MunicipalityStatus.LIVE).count()
                writer.writerow(
                    [f"{time.time():.3f}", outcome.slug, counter["live"], f"{outcome.seconds:.4f}", outcome.method]
                )
            elif outcome.state in ("withdrawn", "invalid"):
                counter["withdrawn"] += 1
                failures.write(json.dumps(outcome.__dict__, ensure_ascii=False) + "\n")
                log(f"  {outcome.slug} {outcome.state}: {outcome.error[:300]}")
            if counter["batch"] >= 250:
                rate = counter["batch"] / (time.perf_counter() - counter["since"])
                log(
                    f"  {counter['live']} live, {rate:.2f} towns/s, pool {ReadySchema.objects.count()}, "
                    f"load {machine_load()}, {disk_free()} free"
                )
                counter["batch"], counter["since"] = 0, time.perf_counter()
                if disk_free_bytes() < args.min_free_gb * 2**30:
                    raise SystemExit(f"stopping: less than {args.min_free_gb} GB free on the disk")

        started = time.perf_counter()
        provision_many((town_spec(n, places) for n in todo), on_outcome=on_outcome)
    return {"seconds": round(time.perf_counter() - started, 1), "withdrawn": counter["withdrawn"]}


def disk_free_bytes() -> int:
    stat = os.statvfs(str(Path.home()))
    return stat.f_bavail * stat.f_frsize


def disk_free() -> str:
    return f"{disk_free_bytes() / 2**30:.0f} GB"


def read_town_log(args, name: str) -> list[tuple[float, str, int, float, str]]:
    path = Path(args.state_dir) / f"{name}.csv"
    if not path.exists():
        return []
    rows = []
    for row in csv.reader(path.open()):
        if len(row) == 5:
            rows.append((float(row[0]), row[1], int(row[2]), float(row[3]), row[4]))
    return rows


def stage_provision(args, state: State) -> None:
    # With --shards N, N processes provision disjoint towns (n % N == --shard); only shard 0 refills.
    workers = start_refillers(args) if args.shard == 0 else []
    try:
        figures = provision_range(args, 0, args.towns - args.timing_runs, "provision")
    finally:
        stop_refillers(args, workers)
    rows = read_town_log(args, "provision")
    if rows:
        figures["towns_per_second"] = round(len(rows) / max(1.0, rows[-1][0] - rows[0][0]), 2)
    if args.shard == 0:
        state.save("provision", figures)


# --- stage: timing ------------------------------------------------------------------------------


def stage_timing(args, state: State) -> None:
    """Provisioning p50/p95 with N towns present and the pool full; the refill rate; replay alone."""
    import uuid

    from django.db import connection, connections

    from onboarding import schema_template
    from onboarding.models import ReadySchema
    from tenants.models import Municipality, MunicipalityStatus

    connections.close_all()
    # Refill rate: the pool topped up to --timing-runs by the refill processes, nothing else of ours
    # running (the refill rate during the bulk run is in the report too, from the whole refill log).
    refill_log = Path(args.state_dir) / "refill.csv"
    before = len(refill_log.read_text().splitlines()) if refill_log.exists() else 0
    pool_args = argparse.Namespace(**{**vars(args), "pool": args.timing_runs})
    started = time.perf_counter()
    workers = start_refillers(pool_args)
    try:
        while ReadySchema.objects.count() < args.timing_runs:
            time.sleep(0.5)
    finally:
        stop_refillers(pool_args, workers)
    fill_seconds = time.perf_counter() - started
    refill_rows = [line.split(",") for line in refill_log.read_text().splitlines()[before:]]
    per_schema = [float(row[2]) for row in refill_rows]
    stamps = sorted(float(row[0]) for row in refill_rows)
    # Replay alone, the pool-empty path (scratch schemas, dropped again).
    template = schema_template.current_template()
    replay = []
    for _ in range(args.replay_runs):
        name = "bench_replay_" + uuid.uuid4().hex[:12]
        t0 = time.perf_counter()
        schema_template.replay_template(name, template)
        replay.append(time.perf_counter() - t0)
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA "{name}" CASCADE')
    # Provisioning with the pool full (nothing refilling meanwhile).
    first = args.towns - args.timing_runs
    provision_range(args, first, args.towns, "timing")
    rows = [r for r in read_town_log(args, "timing") if int(r[1][1:]) >= first]
    seconds = [r[3] for r in rows]
    present = Municipality.objects.filter(status=MunicipalityStatus.LIVE).count()
    state.save(
        "timing",
        {
            "present": present,
            "runs": len(seconds),
            "methods": sorted({r[4] for r in rows}),
            "p50_ms": round(statistics.median(seconds) * 1000, 1) if seconds else None,
            "p95_ms": round(percentile(seconds, 0.95) * 1000, 1) if seconds else None,
            "max_ms": round(max(seconds) * 1000, 1) if seconds else None,
            "refill_schemas": len(per_schema),
            "refill_processes": args.refillers,
            "refill_wall_s": round(fill_seconds, 1),
            # From the first schema made to the last (process start-up excluded).
            "refill_per_s": round((len(stamps) - 1) / (stamps[-1] - stamps[0]), 2) if len(stamps) > 1 else None,
            "refill_one_p50_ms": round(statistics.median(per_schema) * 1000) if per_schema else None,
            "replay_p50_ms": round(statistics.median(replay) * 1000),
            "replay_p95_ms": round(percentile(replay, 0.95) * 1000),
            "load": machine_load(),
        },
    )


# --- stage: load -----------------------------------------------------------------------------------


def process_memory(pid: int) -> tuple[int, int]:
    """(private, resident) bytes of a process, from /proc (private = Private_Clean + Private_Dirty)."""
    private = resident = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name in ("Private_Clean", "Private_Dirty"):
                private += int(rest.split()[0]) * 1024
            elif name == "Rss":
                resident = int(rest.split()[0]) * 1024
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return private, resident


class MemorySampler:
    """Every second: private memory of each PostgreSQL backend of this database, RSS of each web worker."""

    def __init__(self, database: str, master_pid: int) -> None:
        import threading

        self.database, self.master_pid = database, master_pid
        self.samples: list[dict] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *_exc):
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        import psycopg

        url, _admin = database_urls(self.database)
        with psycopg.connect(url, autocommit=True) as conn:
            started = time.perf_counter()
            while not self._stop.wait(1.0):
                pids = [
                    row[0]
                    for row in conn.execute(
                        "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid() "
                        "AND backend_type = 'client backend'",
                        [self.database],
                    )
                ]
                children = Path(f"/proc/{self.master_pid}/task/{self.master_pid}/children")
                workers = [int(p) for p in children.read_text().split()] if children.exists() else []
                self.samples.append(
                    {
                        "t": round(time.perf_counter() - started, 1),
                        "backends": [process_memory(pid)[0] for pid in pids],
                        "workers": [process_memory(pid)[1] for pid in workers],
                    }
                )

    def summary(self) -> dict:
        mib = 2**20
        backends = [b for s in self.samples for b in s["backends"]]
        workers = [w for s in self.samples for w in s["workers"]]
        series = [
            {
                "t": s["t"],
                "backends": len(s["backends"]),
                "backend_max_mib": round(max(s["backends"], default=0) / mib, 1),
                "backend_sum_mib": round(sum(s["backends"]) / mib, 1),
                "worker_max_mib": round(max(s["workers"], default=0) / mib, 1),
            }
            for s in self.samples[:: max(1, len(self.samples) // 12)]
        ]
        return {
            "backend_private_max_mib": round(max(backends, default=0) / mib, 1),
            "backend_private_p50_mib": round(statistics.median(backends) / mib, 1) if backends else None,
            "backends_max": max((len(s["backends"]) for s in self.samples), default=0),
            "backend_sum_max_mib": round(max((sum(s["backends"]) for s in self.samples), default=0) / mib, 1),
            "worker_rss_max_mib": round(max(workers, default=0) / mib, 1),
            "worker_rss_first_mib": round(max(self.samples[0]["workers"], default=0) / mib, 1)
            if self.samples
            else None,
            "series": series,
        }


def phase_filing(port: int, towns: list[int], seconds: float, threads: int, max_total: int):
    """Complaints filed through the form on random towns of all `towns` (bench/oss.py's load)."""
    from oss import phase_submissions

    squares = {f"{slug_for(n)}.localhost": square_for(n) for n in towns}

    def point(host: str, rng: random.Random) -> tuple[float, float]:
        west, south, size = squares[host]
        return south + size * (0.2 + 0.6 * rng.random()), west + size * (0.2 + 0.6 * rng.random())

    hosts = list(squares)
    figures, filed = phase_submissions(port, hosts, seconds, threads, max_total, point=point)
    figures = {key: round(value, 1) if isinstance(value, float) else value for key, value in figures.items()}
    figures["towns_touched"] = len({host for host, _code, _last4 in filed})
    return figures, filed


def run_server(args, budget: int | None):
    import http.client
    import shutil
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    data_dir = Path(args.state_dir) / "data"
    data_dir.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "THONGTHIN_TESTING": "0",
        "THONGTHIN_DATA_DIR": str(data_dir),
        "CELERY_BROKER_URL": "filesystem://",
        "DB_POOL_OFF": "0",
        "DB_POOL_MAX": "4",
    }
    env.pop("DB_POOL_OFF")
    if budget is not None:
        env["DB_MAX_SCHEMAS_PER_CONNECTION"] = str(budget)
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
            # Loaded once, then forked: four workers importing Django at once on a loaded machine
            # miss the arbiter's heartbeat and are killed.
            "--preload",
            "--timeout",
            "300",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(300):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            break
        except OSError:
            time.sleep(0.2)
    return server, port


def relax_rate_limits(towns: list[int]) -> None:
    """The load generator files from one IP: lift the per-IP limit in the towns it will use."""
    from django.db import connection, connections

    for index, n in enumerate(towns, start=1):
        with connection.cursor() as cursor:
            cursor.execute(
                f'UPDATE "town_{slug_for(n)}".complaints_osssettings '
                "SET submissions_per_ip_per_hour = 30000, submissions_per_phone_per_day = 30000"
            )
        if index % 500 == 0:
            connections.close_all()
    connections.close_all()


def load_run(args, towns: list[int], budget: int | None) -> dict:
    from oss import phase_tracking

    server, port = run_server(args, budget)
    try:
        # Warm-up on a handful of towns: each worker imports, compiles templates and connects once.
        warm_towns = random.Random(1).sample(towns, min(8, len(towns)))
        warm_until = time.perf_counter() + 300
        while time.perf_counter() < warm_until:
            if phase_filing(port, warm_towns, 10, args.threads, 100)[0]["count"] >= args.workers:
                break
        with MemorySampler(args.database, server.pid) as sampler:
            load_before = os.getloadavg()[0]
            filing, filed = phase_filing(port, towns, args.seconds, args.threads, args.max_requests)
            log(f"  filing: {filing}")
            if not filed:
                raise SystemExit("no complaint was filed: nothing to track (see the filing errors above)")
            tracking = phase_tracking(port, filed, args.seconds, args.threads, args.max_requests)
            tracking = {k: (round(v, 1) if isinstance(v, float) else v) for k, v in tracking.items()}
            log(f"  tracking: {tracking}")
            load_after = os.getloadavg()[0]
            single = phase_tracking(port, filed, args.seconds / 2, 1, args.max_requests)
            single = {k: (round(v, 1) if isinstance(v, float) else v) for k, v in single.items()}
            log(f"  tracking, one session: {single}")
        memory = sampler.summary()
        log(f"  memory: { {k: v for k, v in memory.items() if k != 'series'} }")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    return {
        "filing": filing,
        "tracking": tracking,
        "tracking_one_session": single,
        "memory": memory,
        "load_before": round(load_before, 1),
        "load_after": round(load_after, 1),
        "schema_budget": budget,
    }


def stage_load(args, state: State) -> None:
    from tenants.models import Municipality, MunicipalityStatus

    towns = sorted(
        int(slug[1:])
        for slug in Municipality.objects.filter(
            status=MunicipalityStatus.LIVE, slug__regex=rf"^{SLUG_PREFIX}\d{{5}}$"
        ).values_list("slug", flat=True)
    )
    relax_rate_limits(towns)
    figures = {"towns": len(towns), "threads": args.threads, "workers": args.workers, "seconds": args.seconds}
    log(f"load with the default schema budget per connection ({len(towns)} towns)")
    figures["budget"] = load_run(args, towns, None)
    state.save("load", figures)
    if args.compare_unbounded:
        log("load again with no schema budget (connections live their whole max_lifetime)")
        figures["unbounded"] = load_run(args, towns, 0)
        state.save("load", figures)


# --- stage: disk --------------------------------------------------------------------------------------


def stage_disk(args, state: State) -> None:
    from django.db import connection

    from tenants.models import Municipality, MunicipalityStatus

    towns = list(
        Municipality.objects.filter(status=MunicipalityStatus.LIVE).order_by("pk").values_list("schema_name", flat=True)
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        database_bytes = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM pg_class")
        pg_class_rows = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM pg_attribute")
        pg_attribute_rows = cursor.fetchone()[0]
        cursor.execute(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'pg_catalog'"
        )
        catalog_bytes = int(cursor.fetchone()[0])
        sample = random.Random(3).sample(towns, min(20, len(towns)))
        own = []
        for schema in sample:
            cursor.execute(
                "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind IN ('r','m','p','S')",
                [schema],
            )
            own.append(int(cursor.fetchone()[0]))
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s",
            [towns[0]],
        )
        relations_per_town = cursor.fetchone()[0]
    # pg_dump of one town, and of a sample of towns one after another (the nightly logical backup
    # as per-town dumps, extrapolated), to files under the state directory, removed afterwards.
    dumps = Path(args.state_dir) / "dumps"
    dumps.mkdir(exist_ok=True)

    def dump(schema: str) -> tuple[float, int]:
        target = dumps / f"{schema}.dump"
        t0 = time.perf_counter()
        subprocess.run(["pg_dump", "-Fc", "-n", schema, "-f", str(target), args.url], check=True)
        seconds = time.perf_counter() - t0
        size = target.stat().st_size
        target.unlink()
        return seconds, size

    one_seconds, one_bytes = dump(towns[0])
    backup_sample = random.Random(5).sample(towns, min(args.backup_sample, len(towns)))
    t0 = time.perf_counter()
    sizes = []
    for schema in backup_sample:
        sizes.append(dump(schema)[1])
    per_town_dump = (time.perf_counter() - t0) / len(backup_sample)
    # The physical backup reads the database's files: time reading them once (what pg_basebackup /
    # pgBackRest must read; a consistent copy additionally needs WAL archiving).
    with connection.cursor() as cursor:
        cursor.execute("SELECT oid FROM pg_database WHERE datname = current_database()")
        oid = cursor.fetchone()[0]
        cursor.execute("SHOW data_directory")
        data_directory = cursor.fetchone()[0]
    t0 = time.perf_counter()
    read_bytes = 0
    base = Path(data_directory) / "base" / str(oid)
    for path in base.iterdir():
        with contextlib.suppress(FileNotFoundError), path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                read_bytes += len(chunk)
    read_seconds = time.perf_counter() - t0
    mib = 2**20
    state.save(
        "disk",
        {
            "towns": len(towns),
            "database_mib": round(database_bytes / mib),
            "database_per_town_mib": round(database_bytes / len(towns) / mib, 2),
            "town_own_relations_mib_median": round(statistics.median(own) / mib, 2),
            "own_includes_sequences": True,
            "catalog_mib": round(catalog_bytes / mib),
            "catalog_per_town_mib": round(catalog_bytes / len(towns) / mib, 2),
            "pg_class_rows": pg_class_rows,
            "pg_attribute_rows": pg_attribute_rows,
            "relations_per_town": relations_per_town,
            "dump_one_town_s": round(one_seconds, 2),
            "dump_one_town_kib": round(one_bytes / 1024),
            "dump_sample": len(backup_sample),
            "dump_per_town_s": round(per_town_dump, 2),
            "dump_all_towns_extrapolated_min": round(per_town_dump * len(towns) / 60, 1),
            "dump_all_towns_kib_median": round(statistics.median(sizes) / 1024),
            "physical_read_s": round(read_seconds, 1),
            "physical_read_mib": round(read_bytes / mib),
            "load": machine_load(),
        },
    )


# --- stage: deploy ------------------------------------------------------------------------------------


def stage_deploy(args, state: State) -> None:
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from fleet_migrate import MIGRATION, deploy

    from tenants.models import Municipality

    towns = Municipality.objects.count()
    idle, idle_out = deploy(args.jobs)
    log(f"  no-op deploy {idle:.1f} s: {idle_out}")
    state.save("deploy", {"towns": towns, "idle_s": round(idle, 1), "idle_out": idle_out})
    leaf = max(
        name for app, name in MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes() if app == "common"
    )
    path = ROOT / "services" / "common" / "migrations" / "0999_bench_fleet_column.py"
    path.write_text(MIGRATION.format(leaf=leaf), encoding="utf-8")
    try:
        busy, busy_out = deploy(args.jobs)
    finally:
        path.unlink(missing_ok=True)
        for cache in (path.parent / "__pycache__").glob("0999_bench_fleet_column*"):
            cache.unlink()
    log(f"  column deploy {busy:.1f} s: {busy_out}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE indexname = 'bench_fleet_note_idx'")
        indexed = cursor.fetchone()[0]
    state.save(
        "deploy",
        {
            "towns": towns,
            "jobs": args.jobs,
            "idle_s": round(idle, 1),
            "idle_out": idle_out,
            "column_s": round(busy, 1),
            "column_out": busy_out,
            "indexed_schemas": indexed,
            "load": machine_load(),
        },
    )


# --- stage: report ------------------------------------------------------------------------------------

# The figures of the earlier benchmarks at 500–1,000 towns (docs/benchmarks.md, their own sections).
EARLIER = {
    "provision_p50_ms": 56,
    "provision_p95_ms": 82,
    "provision_present": 500,
    "replay_p50_ms": 1131,
    "idle_deploy_s": 2.4,
    "column_deploy_s": 13.4,
    "deploy_towns": 1000,
    "tracking_p95_ms": 33.1,
    "tracking_towns": 500,
    "filing_p95_ms": 115,
}


def bands(rows: list, width: int = 1000) -> list[tuple[int, int, float, float, dict]]:
    """Per-town provisioning times grouped by how many towns were live when the town was made."""
    grouped: dict[int, list] = {}
    for row in rows:
        grouped.setdefault((row[2] - 1) // width, []).append(row)
    out = []
    for band, items in sorted(grouped.items()):
        seconds = [r[3] for r in items]
        methods: dict[str, int] = {}
        for r in items:
            methods[r[4]] = methods.get(r[4], 0) + 1
        out.append(
            (band * width, band * width + len(items), statistics.median(seconds), percentile(seconds, 0.95), methods)
        )
    return out


def stage_loads(data: dict) -> dict[str, str]:
    """The 1-minute load average each measuring stage recorded at its end."""
    return {k: str(v.get("load", "")).split(" ")[0] for k, v in data.items() if isinstance(v, dict) and v.get("load")}


def goal(met: bool) -> str:
    return "met" if met else "**NOT met**"


def stage_report(args, state: State) -> None:
    from _setup import write_section

    d = state.data
    setup, timing = d.get("setup", {}), d.get("timing", {})
    load, disk, deploy = d.get("load", {}), d.get("disk", {}), d.get("deploy", {})
    rows = read_town_log(args, "provision")
    present = timing.get("present") or (rows[-1][2] if rows else 0)
    command = f"DATABASE_URL=postgres://…/any .venv/bin/python bench/country.py --towns {args.towns}"
    lines = [
        "## The whole country (`bench/country.py`)",
        "",
        f"Command: `{command}` (stages `setup provision timing load disk deploy report`, each resumable;",
        "`--stage <name>` runs one). Own database `tt_country` on the machine's PostgreSQL 15 (its",
        f"stock settings: shared_buffers 128 MB); 2 cores and 24 GiB ({args.machine_note or 'see the load averages'};",
        f"1-minute load average at the end of each stage: {', '.join(f'{k} {v}' for k, v in stage_loads(d).items())}).",
        f"Towns live at the end: **{present:,}** of the {args.towns:,} asked for.",
        "",
    ]
    if timing:
        lines += [
            "| measure | earlier bench (towns present) | this run (towns present) | goal |",
            "|---|---|---|---|",
            f"| provisioning, warm pool, p50 / p95 | {EARLIER['provision_p50_ms']} / {EARLIER['provision_p95_ms']} ms "
            f"({EARLIER['provision_present']}) | {timing['p50_ms']:.0f} / {timing['p95_ms']:.0f} ms ({timing['present']:,}; "
            f"{timing['runs']} runs, {', '.join(timing['methods'])}) | p50 < 500 ms: {goal(timing['p50_ms'] < 500)} |",
            f"| template replay alone (pool empty), p50 | {EARLIER['replay_p50_ms']} ms ({EARLIER['provision_present']}) | "
            f"{timing['replay_p50_ms']} ms ({timing['present']:,}) | — |",
        ]
    if timing.get("refill_per_s"):
        lines += [
            f"| pool refill rate ({timing['refill_processes']} refill processes) | — | {timing['refill_per_s']} schemas/s "
            f"({timing['refill_one_p50_ms']} ms each, p50) | — |",
        ]
    if deploy.get("idle_s") is not None and deploy.get("column_s") is None:
        lines.append(
            f"| fleet deploy, nothing pending (wall, fresh process) | {EARLIER['idle_deploy_s']} s "
            f"({EARLIER['deploy_towns']:,}) | {deploy['idle_s']} s ({deploy['towns']:,}; {deploy['idle_out']}) | "
            f"< 60 s: {goal(deploy['idle_s'] < 60)} |"
        )
    if deploy.get("column_s") is not None:
        lines += [
            f"| fleet deploy, nothing pending | {EARLIER['idle_deploy_s']} s ({EARLIER['deploy_towns']:,}) | "
            f"{deploy['idle_s']} s ({deploy['towns']:,}) | < 60 s: {goal(deploy['idle_s'] < 60)} |",
            f"| fleet deploy, one column + index | {EARLIER['column_deploy_s']} s ({EARLIER['deploy_towns']:,}) | "
            f"{deploy['column_s']} s ({deploy['towns']:,}; index in {deploy['indexed_schemas']:,} schemas) | "
            f"< 5 min: {goal(deploy['column_s'] < 300)} |",
        ]
    if load.get("budget"):
        run = load["budget"]
        tr, fi, mem = run["tracking"], run["filing"], run["memory"]
        lines += [
            f"| tracking page p95 ({load['threads']} sessions, random towns) | {EARLIER['tracking_p95_ms']} ms "
            f"({EARLIER['tracking_towns']}) | {tr['p95_ms']} ms ({load['towns']:,}; {tr['count']} pages, {tr['errors']} errors) "
            f"| < 100 ms: {goal(tr['p95_ms'] < 100)} |",
            f"| tracking page, one session (service time, no queueing) p50 / p95 | 5.4 / 8.3 ms ({EARLIER['tracking_towns']}) | "
            f"{run['tracking_one_session']['p50_ms']} / {run['tracking_one_session']['p95_ms']} ms | — |",
            f"| filing p95 (citizen form POST, random towns) | {EARLIER['filing_p95_ms']} ms ({EARLIER['tracking_towns']}) | "
            f"{fi['p95_ms']} ms ({fi['count']} filed in {fi['towns_touched']} towns, {fi['errors']} errors) | — |",
            f"| PostgreSQL backend private memory, max | — | {mem['backend_private_max_mib']} MiB "
            f"({mem['backends_max']} backends; all together ≤ {mem['backend_sum_max_mib']} MiB) | bounded |",
            f"| web worker RSS, first → max | — | {mem['worker_rss_first_mib']} → {mem['worker_rss_max_mib']} MiB | — |",
        ]
    if disk:
        lines += [
            f"| disk per empty town, its own files (tables, TOAST, indexes"
            f"{', sequences' if disk.get('own_includes_sequences') else '; sequences not counted'}; median of 20) | — | "
            f"{disk['town_own_relations_mib_median']} MiB | < 5 MB (4.77 MiB): "
            + (
                goal(disk["town_own_relations_mib_median"] < 4.77)
                if disk.get("own_includes_sequences")
                else "see below"
            )
            + " |",
            f"| disk per town, whole database ÷ towns (catalog included) | — | {disk['database_per_town_mib']} MiB "
            f"({disk['database_mib']:,} MiB for {disk['towns']:,}) | — |",
            f"| catalog: pg_class rows / pg_attribute rows | — | {disk['pg_class_rows']:,} / {disk['pg_attribute_rows']:,} "
            f"({disk['relations_per_town']} relations per town; pg_catalog {disk['catalog_mib']:,} MiB) | — |",
            f"| `pg_dump -Fc -n <town>` of one town | — | {disk['dump_one_town_s']} s, {disk['dump_one_town_kib']} KiB | — |",
            f"| nightly logical backup, one `pg_dump -n` per town (sample of {disk['dump_sample']}, extrapolated) | — | "
            f"{disk['dump_per_town_s']} s per town → {disk['dump_all_towns_extrapolated_min']} min for all, one at a time | — |",
            f"| nightly physical backup: reading the database's files once | — | {disk['physical_read_mib']:,} MiB in "
            f"{disk['physical_read_s']} s | — |",
        ]
    lines.append("")
    if rows:
        lines += [
            "Provisioning through the whole run (warm pool refilled by "
            f"{args.refillers} parallel processes as it went; per town: register + pipeline, invitations off):",
            "",
            "| towns present | towns made | p50 | p95 | schema from |",
            "|---|---|---|---|---|",
        ]
        for low, high, p50, p95, methods in bands(rows):
            from_ = ", ".join(f"{k} {v}" for k, v in sorted(methods.items()))
            lines.append(f"| {low:,}–{high:,} | {high - low:,} | {p50 * 1000:.0f} ms | {p95 * 1000:.0f} ms | {from_} |")
        lines.append("")
        rate = (len(rows) - 1) / (rows[-1][0] - rows[0][0]) if len(rows) > 1 else float("nan")
        failures = Path(args.state_dir) / "failures.jsonl"
        withdrawn = len(failures.read_text().splitlines()) if failures.exists() else 0
        lines.append(
            f"Stage times: setup {setup.get('seconds', '—')} s; provision: {len(rows):,} towns in "
            f"{(rows[-1][0] - rows[0][0]) / 60:.0f} min of wall time = {rate:.2f} towns/s overall "
            f"(refill included); {withdrawn} towns withdrawn."
        )
    refill_path = Path(args.state_dir) / "refill.csv"
    refill_rows = [line.split(",") for line in refill_path.read_text().splitlines()] if refill_path.exists() else []
    if len(refill_rows) > 1:
        stamps = sorted(float(r[0]) for r in refill_rows)
        each = [float(r[2]) for r in refill_rows]
        lines.append(
            f"Warm pool during the bulk run: {len(refill_rows):,} schemas replayed by the refill processes "
            f"in {(stamps[-1] - stamps[0]) / 60:.0f} min (= {(len(stamps) - 1) / (stamps[-1] - stamps[0]):.2f} schemas/s; "
            f"one replay p50 {statistics.median(each):.1f} s, p95 {percentile(each, 0.95):.1f} s)."
        )
    if present and present < args.towns:
        scale = args.towns / present
        lines += [
            "",
            f"**Extrapolated to {args.towns:,} towns (not measured: the run stopped at {present:,} towns):**",
        ]
        if rows:
            lines.append(
                f"- provisioning all {args.towns:,} at this run's rate: {args.towns / rate / 3600:.1f} h on this shared machine;"
            )
        if disk:
            lines += [
                f"- database {disk['database_per_town_mib'] * args.towns / 1024:.0f} GiB; pg_class "
                f"{disk['pg_class_rows'] * scale:,.0f} rows (both linear in towns, as measured from the first "
                "towns to here);",
                f"- nightly per-town `pg_dump` loop: {disk['dump_per_town_s'] * args.towns / 60:.0f} min one at a time "
                "(each dump also reads the whole catalog, so the time per town grows with the towns present);",
            ]
        if deploy.get("column_s") is not None:
            lines.append(
                f"- one-column deploy: the towns' part grows linearly ({deploy['column_out']}); "
                f"about {deploy['column_s'] * scale:.0f} s at {args.towns:,} if all of it did."
            )
    lines.append("")
    lines.append(args.report_notes or "")
    write_section("country", "\n".join(lines))
    print("\n".join(lines))


# --- entry point ------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--towns", type=int, default=7850)
    parser.add_argument("--stage", default="all", choices=["all", *STAGES, "refill-worker"])
    parser.add_argument("--database", default="tt_country")
    parser.add_argument("--state-dir", default="")
    parser.add_argument("--refillers", type=int, default=2, help="processes refilling the warm pool")
    parser.add_argument("--pool", type=int, default=20, help="ready schemas kept in the pool")
    parser.add_argument("--timing-runs", type=int, default=40)
    parser.add_argument("--replay-runs", type=int, default=10, help="timing: template replays alone")
    parser.add_argument("--shards", type=int, default=1, help="provision: processes provisioning side by side")
    parser.add_argument("--shard", type=int, default=0, help="provision: which of --shards this process is")
    parser.add_argument("--min-free-gb", type=float, default=20)
    parser.add_argument("--seconds", type=float, default=20, help="each load phase")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--max-requests", type=int, default=20000)
    parser.add_argument("--backup-sample", type=int, default=40, help="towns dumped to time the nightly backup")
    parser.add_argument("--jobs", type=int, default=4, help="migrate_fleet --jobs")
    parser.add_argument(
        "--compare-unbounded", action="store_true", help="load stage: a second run with no schema budget"
    )
    parser.add_argument("--report-notes", default="", help=argparse.SUPPRESS)
    parser.add_argument("--machine-note", default="", help="report: what else the machine ran meanwhile")
    parser.add_argument("--force", action="store_true", help="run the stage again even if it finished")
    args = parser.parse_args()
    args.state_dir = args.state_dir or str(Path.home() / ".cache" / "thongthin" / args.database)
    url, admin_url = database_urls(args.database)
    args.url = url
    if args.stage != "report":  # the report reads the stage results only
        start_django(url, admin_url)
    if args.stage == "refill-worker":
        refill_worker(args)
        return
    state = State(Path(args.state_dir))
    stages = STAGES if args.stage == "all" else [args.stage]
    for stage in stages:
        if state.done(stage) and not args.force and stage != "report":
            log(f"{stage}: done at {state.data[stage]['finished_at']}, skipped")
            continue
        log(f"{stage}: starting (load {machine_load()}, {disk_free()} free)")
        started = time.perf_counter()
        globals()[f"stage_{stage}"](args, state)
        log(f"{stage}: finished in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
