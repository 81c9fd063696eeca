"""Import a large end-of-day bank file from the command line (the back-office takes up to 30 MB).

python manage.py import_statement --town bangsare --format bot path/to/file.txt
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import tenant_context

from services.payments.actions import import_statement
from services.payments.statements import StatementError
from tenants.models import Municipality


class Command(BaseCommand):
    help = "Reconcile a bank statement file (csv or bot) for one town."

    def add_arguments(self, parser):
        parser.add_argument("--town", required=True)
        parser.add_argument("--format", choices=["csv", "bot"], required=True)
        parser.add_argument("path")

    def handle(self, *args, **options):
        town = Municipality.objects.filter(slug=options["town"]).first()
        if town is None:
            raise CommandError(f"no town {options['town']}")
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"no file {path}")
        with tenant_context(town):
            try:
                statement = import_statement(
                    data=path.read_bytes(), file_name=path.name, statement_format=options["format"], by=None
                )
            except StatementError as exc:
                raise CommandError("\n".join(exc.messages)) from exc
        self.stdout.write(
            f"{statement.line_count} lines: {statement.matched_count} paid, "
            f"{statement.confirmed_count} confirmed, {statement.exception_count} exceptions, "
            f"{statement.duplicate_count} duplicates"
        )
