"""Provision towns from a YAML or JSON file: one town (a mapping), a list, or {"towns": [...]}.

Every town in the file is validated before anything is written; then each is registered and
provisioned (inline, or on Celery with --queue). Running the same file again finishes towns that
are not live yet and leaves live ones alone, so a roll-out script can simply be re-run.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from urllib.parse import urlparse

import yaml
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from onboarding.actions import register_town, start_provisioning
from onboarding.models import ProvisioningJob
from onboarding.pipeline import run_job
from onboarding.schema_template import ensure_template
from onboarding.spec import SpecInvalid, validate_town_spec
from tenants.models import Municipality, MunicipalityStatus


def load_towns(path: Path) -> list[dict]:
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise CommandError(f"{path}: not valid YAML/JSON: {exc}") from exc
    if isinstance(data, dict) and "towns" in data:
        data = data["towns"]
    towns = data if isinstance(data, list) else [data]
    for town in towns:
        logo = (town.get("branding") or {}).get("logo") if isinstance(town, dict) else None
        if logo:
            logo_path = (path.parent / logo).resolve()
            if not logo_path.is_file():
                raise CommandError(f"{town.get('slug')}: logo file not found: {logo}")
            town["branding"] = {
                **town["branding"],
                "logo_png_b64": base64.b64encode(logo_path.read_bytes()).decode(),
            }
            del town["branding"]["logo"]
    return towns


class Command(BaseCommand):
    help = "Provision one or many towns from a YAML/JSON file (the same fields as the onboarding wizard)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--queue", action="store_true", help="run the jobs on Celery instead of inline")
        parser.add_argument("--dry-run", action="store_true", help="only validate the file")
        parser.add_argument("--base-url", default="", help="e.g. http://localhost:8000 for invitation links")
        parser.add_argument("--no-invitations", action="store_true", help="do not e-mail staff (demo data)")

    def handle(
        self, *args, file: Path, queue: bool, dry_run: bool, base_url: str, no_invitations: bool, **options
    ):
        towns = load_towns(file)
        existing = {
            t.slug: t
            for t in Municipality.objects.filter(
                slug__in=[t.get("slug") for t in towns if isinstance(t, dict)]
            )
        }
        problems: list[str] = []
        todo: list[dict] = []
        seen: dict[str, set] = {"slug": set(), "lao_code": set(), "tax_id": set(), "short_code": set()}
        for index, spec in enumerate(towns, start=1):
            label = f"#{index} {spec.get('slug', '?') if isinstance(spec, dict) else '?'}"
            if isinstance(spec, dict) and spec.get("slug") in existing:
                continue  # resumed or skipped below
            try:
                validate_town_spec(spec)
            except SpecInvalid as exc:
                problems += [
                    f"{label}: {field}: {' '.join(messages)}" for field, messages in exc.errors.items()
                ]
                continue
            for key, values in seen.items():
                if spec.get(key) in values:
                    problems.append(f"{label}: {key} {spec.get(key)} appears twice in the file")
                values.add(spec.get(key))
            todo.append(spec)
        if problems:
            raise CommandError("nothing was provisioned; fix these first:\n  " + "\n  ".join(problems))
        if dry_run:
            self.stdout.write(
                self.style.SUCCESS(f"{len(todo)} new town(s) valid; {len(existing)} already registered")
            )
            return
        link_base = None
        if base_url:
            parts = urlparse(base_url)
            link_base = {"scheme": parts.scheme or "https", "port": parts.port}
        ensure_template()
        jobs = []
        for town in existing.values():
            job = town.provisioning_jobs.order_by("-created_at").first()
            if town.status in (MunicipalityStatus.DRAFT, MunicipalityStatus.PROVISIONING) and job:
                jobs.append(job)
            else:
                self.stdout.write(f"{town.slug}: already {town.status}; unchanged")
        for spec in todo:
            with transaction.atomic():
                jobs.append(register_town(spec=spec, link_base=link_base))
        for job in jobs:
            if queue:
                with transaction.atomic():
                    start_provisioning(job=job)
                self.stdout.write(f"{job.municipality.slug}: queued (job {job.public_id})")
                continue
            job = run_job(job.pk, send_invitations=not no_invitations)
            seconds = sum(s.get("seconds", 0) for s in job.steps)
            if job.status == ProvisioningJob.Status.DONE:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"{job.municipality.slug}: live at {job.municipality.primary_host} "
                        f"({job.method}, {seconds:.2f} s)"
                    )
                )
            else:
                raise CommandError(
                    f"{job.municipality.slug}: provisioning failed: {job.error} (run again to resume)"
                )
