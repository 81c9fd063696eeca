"""`make run`: migrate, seed the demo, then serve web + Celery worker + Celery beat until Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from onboarding import demo


class Command(BaseCommand):
    help = "Run the whole platform for development: web server, Celery worker and beat."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--no-seed", action="store_true")

    def handle(self, *args, port: int, no_seed: bool, **options):
        began = time.monotonic()
        # The deploy command: public schema, towns that need it, and the provisioning template.
        call_command("migrate_fleet", verbosity=0)
        procs = self.start(port)
        # The servers answer while the demo is written (towns, people, a year of history through
        # the services' actions: a minute or more on a small machine); the logins follow when it is done.
        try:
            if not no_seed:
                call_command("seed_demo")
            # The console is never empty nor "stale": figures and a heartbeat before the first beat.
            call_command("refresh_platform_summary")
            call_command("record_heartbeats")
        except BaseException:  # a failed seed or Ctrl-C while seeding: leave nothing running
            self.stop_all(procs)
            raise
        self.stdout.write(f"demo ready {time.monotonic() - began:.1f} s after start")
        self.print_banner(port)
        self.serve(procs)

    def start(self, port: int) -> dict[str, subprocess.Popen]:
        base = str(settings.BASE_DIR)
        # Links in messages and QR codes carry the port the site is served on.
        env = {**os.environ, "DATABASE_URL": settings.DATABASE_URL, "PYTHONUNBUFFERED": "1",
               "THONGTHIN_PUBLIC_PORT": str(port),
               "PYTHONPATH": os.pathsep.join([base, os.path.join(base, "platform")])}
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        celery = [sys.executable, "-m", "celery", "-A", "config"]
        data = settings.DATA_DIR
        return {
            "web": subprocess.Popen([*manage, "runserver", f"0.0.0.0:{port}", "--noreload"], env=env),
            "worker": subprocess.Popen([*celery, "worker", "--loglevel=INFO", "--concurrency=2",
                                        "--hostname", f"thongthin-dev-{port}@%h"], env=env, cwd=base),
            "beat": subprocess.Popen([*celery, "beat", "--loglevel=INFO", "--schedule",
                                      str(data / "celerybeat-schedule"), "--pidfile", ""], env=env, cwd=base),
        }

    def serve(self, procs: dict[str, subprocess.Popen]) -> None:
        stopping = False

        def stop(*_args):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                for name, proc in procs.items():
                    if proc.poll() is not None:
                        self.stderr.write(f"{name} exited with code {proc.returncode}; stopping")
                        stopping = True
                time.sleep(0.5)
        finally:
            self.stop_all(procs)

    def stop_all(self, procs: dict[str, subprocess.Popen]) -> None:
        for proc in procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for proc in procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
        self.stdout.write("stopped web, worker and beat")

    def print_banner(self, port: int) -> None:
        domain = settings.PLATFORM_DOMAIN
        broker = settings.CELERY_BROKER_URL.split("@")[-1]
        lines = [
            "",
            "Thongthin is running (Ctrl-C stops everything)",
            f"  Platform console (DGA admins): http://{domain}:{port}/",
        ]
        for town in demo.TOWNS:
            lines.append(f"  {town['name_en']}: http://{town['slug']}.{domain}:{port}/  (staff: /staff/)")
        lines += [
            f"  API docs: http://bangsare.{domain}:{port}/api/v1/docs/ · http://{domain}:{port}/api/platform/v1/docs/",
            "",
            f"  Demo logins (password for all: {demo.DEMO_PASSWORD})",
            f"    platform: {demo.DGA_ADMIN['username']}",
            "    Bang Sare: " + ", ".join(f"bsr-{s[0]} ({s[3]})" for s in demo.STAFF) + ", bsr-citizen",
            "    Na Jomtien: the same names with the njt- prefix",
            f"  Database: {'embedded PostgreSQL under .data/pg' if '.data' in settings.DATABASE_URL else 'DATABASE_URL'}",
            f"  Broker: {broker}",
            "",
        ]
        self.stdout.write("\n".join(lines))
