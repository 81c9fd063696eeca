"""Test clients that leave the connection in the schema the test was using.

The routing middleware ends every request on the public schema (so nothing of one town leaks into
the next request on that thread). In a test that then reads the town's tables, that would read the
wrong schema; these clients put the connection back as they found it after each request."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from rest_framework.test import APIClient


class _KeepsSchema:
    def request(self, **request):
        tenant = getattr(connection, "tenant", None)
        schema = connection.schema_name
        try:
            return super().request(**request)
        finally:
            if tenant is not None and schema != "public":
                connection.set_tenant(tenant)
            else:
                connection.set_schema_to_public()


class SchemaKeepingClient(_KeepsSchema, Client):
    def __init__(self, host: str = "localhost", **defaults) -> None:
        defaults.setdefault("HTTP_HOST", host)  # also as type(client)(HTTP_HOST=...)
        super().__init__(**defaults)


class SchemaKeepingAPIClient(_KeepsSchema, APIClient):
    def __init__(self, host: str = "localhost", **defaults) -> None:
        defaults.setdefault("HTTP_HOST", host)  # also as type(client)(HTTP_HOST=...)
        super().__init__(**defaults)
