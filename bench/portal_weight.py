"""Citizen pages on a slow phone connection: page weight and time to first render under Chromium's
3G throttling (loopback only, bounded: a few page loads per profile).

    python bench/portal_weight.py [--runs 3]

1. A benchmark database with the demo towns, seeded by `seed_demo` (the roll-out path).
2. The production configuration as the image runs it: DJANGO_PRODUCTION=1, `collectstatic`
   (WhiteNoise's compressed files), gunicorn on 127.0.0.1.
3. Headless Chromium at 360 px with Chrome DevTools Protocol network emulation at the DevTools
   presets: "3G" (formerly "Fast 3G": 562.5 ms RTT, 1.44 Mbit/s down, 675 kbit/s up) and "Slow 3G"
   (2 s RTT, 400 kbit/s down and up). Every load starts with an empty cache. Map tiles come from
   OpenStreetMap, not from us: they are blocked here and not counted.
4. Bytes are what came over the wire (CDP encodedDataLength, headers included); first render is
   the browser's first-contentful-paint. The last rows load the filing form a second time once the
   town's service worker has kept the shell (a returning citizen), and with the network off.
Results are written to docs/benchmarks.md between the `portal-weight` markers.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import ROOT, drop_database, machine, start_django, write_section

PAGES = [
    ("Portal home", "/"),
    ("Complaints", "/complaints/"),
    ("File a complaint (map)", "/complaints/new/"),
    ("Track a request", "/complaints/track/"),
    ("Results (map, charts)", "/complaints/transparency/"),
]
# Chrome DevTools' presets (front_end/core/sdk/NetworkManager.ts): bytes per second and latency.
PROFILES = {
    "3G": {"latency": 562.5, "downloadThroughput": 1.6 * 1000 * 1000 / 8 * 0.9,
           "uploadThroughput": 750 * 1000 / 8 * 0.9},
    "Slow 3G": {"latency": 2000, "downloadThroughput": 500 * 1000 / 8 * 0.8,
                "uploadThroughput": 500 * 1000 / 8 * 0.8},
}
TOWN = "bangsare"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(env: dict, port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--timeout", "120"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return proc
        except OSError:
            if proc.poll() is not None:
                raise SystemExit("gunicorn exited: " + proc.stderr.read().decode()[-2000:]) from None
            time.sleep(0.5)
    proc.terminate()
    raise SystemExit("gunicorn did not start in 60 s")


def measure(browser, url: str, profile: dict | None, *, warm: bool = False, offline: bool = False) -> dict:
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, locale="th-TH",
                                  service_workers="allow" if warm else "block")
    context.route("https://*.tile.openstreetmap.org/**", lambda route: route.abort())
    context.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    page = context.new_page()
    if warm:  # a first visit with a good signal: the worker installs and keeps the shell
        page.goto(url, wait_until="load")
        page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=60000)
        page.wait_for_function(
            "async () => (await caches.keys()).some(n => n.startsWith('thongthin-'))", timeout=60000
        )
        time.sleep(1)
    cdp = context.new_cdp_session(page)
    sizes: dict[str, float] = {}
    cdp.on("Network.loadingFinished", lambda event: sizes.__setitem__(event["requestId"], event["encodedDataLength"]))
    cdp.send("Network.enable")
    if offline:
        context.set_offline(True)
    elif profile:
        cdp.send("Network.emulateNetworkConditions", {"offline": False, **profile})
    started = time.perf_counter()
    page.goto(url, wait_until="load", timeout=180000)
    loaded = time.perf_counter() - started
    paint = page.evaluate(
        "() => (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || null"
    )
    # When the first byte of the page came: on this shared machine the server's own time is in it.
    first_byte = page.evaluate("() => performance.getEntriesByType('navigation')[0].responseStart")
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    return {"bytes": sum(sizes.values()), "requests": len(sizes), "fcp_ms": paint, "ttfb_ms": first_byte,
            "load_s": loaded, "width": width}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from cryptography.fernet import Fernet
    from playwright.sync_api import sync_playwright

    name = start_django("portal")
    from django.core.management import call_command
    from django.db import connections

    log("seeding the demo towns (seed_demo)")
    call_command("seed_demo", verbosity=0)
    connections.close_all()
    work = Path(tempfile.mkdtemp(prefix="thongthin-portal-bench-"))
    env = {
        **os.environ,
        "DJANGO_PRODUCTION": "1", "DJANGO_DEBUG": "0", "SECURE_COOKIES": "0",
        "DJANGO_SECRET_KEY": "bench-only-" + Fernet.generate_key().decode(),
        "THONGTHIN_DATA_KEYS": Fernet.generate_key().decode(),
        "STATIC_ROOT": str(work / "static"), "THONGTHIN_DATA_DIR": str(work / "data"),
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "platform")]),
    }
    env.pop("THONGTHIN_TESTING", None)
    log("collectstatic (compressed, as the image does)")
    # The API browser's assets (megabytes) are no citizen page's: left out so compressing is quick.
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0",
                    "-i", "drf_spectacular_sidecar", "-i", "rest_framework", "-i", "admin"],
                   cwd=ROOT, env=env, check=True)
    port = free_port()
    server = serve(env, port)
    base = f"http://{TOWN}.localhost:{port}"
    rows = []
    try:
        with sync_playwright() as p:
            chromium = shutil.which("chromium") or "/usr/bin/chromium"
            browser = p.chromium.launch(executable_path=chromium, args=[
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--host-resolver-rules=MAP *.localhost 127.0.0.1",
            ])
            measure(browser, base + "/", None)  # warm the server processes
            for label, path in PAGES:
                for profile_name, profile in PROFILES.items():
                    runs = [measure(browser, base + path, profile) for _ in range(args.runs)]
                    rows.append((label, path, profile_name, runs))
                    log(f"{path} {profile_name}: {statistics.median(r['bytes'] for r in runs) / 1024:.0f} KiB, "
                        f"FCP {statistics.median(r['fcp_ms'] or 0 for r in runs):.0f} ms")
            for profile_name in ("3G", "Slow 3G"):
                runs = [measure(browser, base + "/complaints/new/", PROFILES[profile_name], warm=True)
                        for _ in range(args.runs)]
                rows.append(("File a complaint, returning (worker)", "/complaints/new/", profile_name, runs))
            runs = [measure(browser, base + "/complaints/new/", None, warm=True, offline=True)
                    for _ in range(args.runs)]
            rows.append(("File a complaint, no network (worker)", "/complaints/new/", "offline", runs))
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(work, ignore_errors=True)
        drop_database(name)

    lines = [
        "## Citizen pages on a slow connection (bench/portal_weight.py)",
        "",
        "`python bench/portal_weight.py --runs 3` — production settings (DJANGO_PRODUCTION=1, collectstatic,",
        "gunicorn with 2 workers) on loopback, the demo town Bang Sare, headless Chromium at 360 × 740 with",
        "Chrome DevTools Protocol network emulation at DevTools' 3G presets, empty cache on every load",
        "(OpenStreetMap tiles blocked, not counted). Bytes over the wire with headers; first render =",
        f"first-contentful-paint; medians of {args.runs} loads. Machine: {machine()}, shared with other",
        "work: the first byte column shows how much of the wait was the server, not the network.",
        "",
        "| page | profile | KiB over the wire | requests | first byte (ms) | first render (ms) | load event (s) | widest (px) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, path, profile_name, runs in rows:
        paints = [r["fcp_ms"] for r in runs if r["fcp_ms"]]
        paint = f"{statistics.median(paints):.0f}" if paints else "–"
        lines.append(
            f"| {label} `{path}` | {profile_name} | {statistics.median(r['bytes'] for r in runs) / 1024:.1f} | "
            f"{statistics.median(r['requests'] for r in runs):.0f} | "
            f"{statistics.median(r['ttfb_ms'] for r in runs):.0f} | {paint} | "
            f"{statistics.median(r['load_s'] for r in runs):.1f} | {max(r['width'] for r in runs)} |"
        )
    lines.append("")
    lines.append(f"Measured {time.strftime('%Y-%m-%d')}.")
    write_section("portal-weight", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
