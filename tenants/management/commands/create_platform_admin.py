"""Create a DGA admin (a user of the public schema) — the first account of a new deployment."""

from __future__ import annotations

import getpass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from services.accounts.models import User


class Command(BaseCommand):
    help = "Create a DGA platform admin in the public schema."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("email")
        parser.add_argument("--password-from-env", metavar="VAR", help="read the password from this variable")

    def handle(self, *args, username: str, email: str, password_from_env: str | None, **options):
        import os

        password = os.environ.get(password_from_env, "") if password_from_env else getpass.getpass("Password: ")
        with schema_context("public"):
            if User.objects.filter(username=username).exists():
                raise CommandError(f"{username} already exists")
            user = User(username=username, email=email, kind=User.Kind.PLATFORM_ADMIN, is_staff=True)
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
            user.set_password(password)
            user.save()
        self.stdout.write(self.style.SUCCESS(f"platform admin {username} created"))
