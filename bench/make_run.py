"""A fresh `make run`, timed until /healthz answers: embedded PostgreSQL, migrations, the demo towns,
their year of history (seed_history) and the national summary, then web + worker + beat.

    .venv/bin/python bench/make_run.py [--port 8613] [--keep]

Runs with DATABASE_URL and CELERY_BROKER_URL unset and THONGTHIN_DATA_DIR in a new temporary
folder (a fresh machine, except that .venv is already installed), prints each phase's time from
`make run`'s own output, stops everything it started, and replaces the "make run" section of
docs/benchmarks.md. The goal: under two minutes.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from _setup import ROOT, machine, write_section

GOAL_SECONDS = 120


def load_average() -> str:
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8613)
    parser.add_argument("--keep", action="store_true", help="keep the data folder")
    parser.add_argument("--timeout", type=int, default=1800)
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="thongthin-make-run-"))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL")}
    env.update({"THONGTHIN_DATA_DIR": str(data), "PORT": str(args.port)})
    env.pop("THONGTHIN_TESTING", None)
    load_before = load_average()
    started = time.perf_counter()
    log = data / "make-run.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            ["make", "run", f"PORT={args.port}"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    healthy = None
    while time.perf_counter() - started < args.timeout and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{args.port}/healthz", timeout=2) as response:
                if response.status == 200:
                    healthy = time.perf_counter() - started
                    break
        except OSError:
            pass
        time.sleep(0.5)
    # The servers answer first; the demo (towns, a year of history, the national summary) follows.
    ready = None
    while healthy and time.perf_counter() - started < args.timeout and proc.poll() is None:
        if "demo ready" in log.read_text(errors="replace"):
            ready = time.perf_counter() - started
            break
        time.sleep(1)
    text = log.read_text(errors="replace")
    os.killpg(proc.pid, signal.SIGINT)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
    histories = re.findall(r"^(\w+): history of (\d+) months in ([\d.]+) s$", text, flags=re.M)
    parts = re.findall(r"^  (\w+) (\w+): (.*) \(([\d.]+) s\)$", text, flags=re.M)
    migrate = re.search(r"total ([\d.]+) s", text)
    rows = [
        f"| fresh `make run` → /healthz answers | **{healthy:.1f} s** |" if healthy else "| fresh `make run` | did not answer |",
        f"| of which migrate_fleet (public, template) | {migrate.group(1)} s |" if migrate else "",
        f"| demo ready: towns, a year of history for both, national summary | **{ready:.1f} s** |"
        if ready else "| demo ready | not within the time-out |",
    ]
    rows += [f"| of which seed_history {town} ({months} months, in parallel) | {seconds} s |"
             for town, months, seconds in histories]
    rows += [f"| — {town} {part}: {what} | {seconds} s |" for town, part, what, seconds in parts]
    verdict = "met" if healthy and healthy < GOAL_SECONDS else "NOT met"
    verdict_ready = "met" if ready and ready < GOAL_SECONDS else "NOT met"
    write_section(
        "make-run",
        f"""## A fresh `make run` (`bench/make_run.py`)

{machine()}; command: `.venv/bin/python bench/make_run.py` (DATABASE_URL and CELERY_BROKER_URL
unset, a new THONGTHIN_DATA_DIR, .venv already installed); load average before the run
{load_before}, after {load_average()}.

| step | time |
|---|---|
{chr(10).join(r for r in rows if r)}

Goal under {GOAL_SECONDS} s to a healthy server: **{verdict}**; to the demo ready: **{verdict_ready}**. The demo's year of history is
written while the server already answers (the banner with the logins follows "demo ready").""",
    )
    print(f"healthz after {healthy} s, demo ready after {ready} s" + (f"; log in {log}" if args.keep else ""))
    if not args.keep:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
