"""Factories for tests: towns, users with roles. Build data here, never in shared fixture files."""

from __future__ import annotations

import itertools

from django.contrib.auth.models import Group
from django.db import connection

from services.accounts.models import User

PASSWORD = "correct-horse-2569"

TOWN_SPECS = [
    {"slug": "alpha", "short_code": "ALP", "name_th": "เทศบาลตำบลอัลฟา", "name_en": "Alpha",
     "lao_code": "05209901", "tax_id": "0994000158041",
     "boundary": {"type": "Polygon", "coordinates": [[[100.88, 12.73], [100.93, 12.73], [100.93, 12.78], [100.88, 12.78], [100.88, 12.73]]]}},
    {"slug": "beta", "short_code": "BET", "name_th": "เทศบาลตำบลเบตา", "name_en": "Beta",
     "lao_code": "05209902", "tax_id": "0994000999020",
     "boundary": {"type": "Polygon", "coordinates": [[[100.87, 12.78], [100.93, 12.78], [100.93, 12.86], [100.87, 12.86], [100.87, 12.78]]]}},
]

_counter = itertools.count(1)


def make_town(*, slug: str, status: str = "live", **fields):
    """Create a town with its schema and primary domain `<slug>.localhost`."""
    from tenants.models import SERVICE_CODES, Domain, Municipality

    defaults = {"kind": "subdistrict", "province": "ชลบุรี", "district": "สัตหีบ",
                "enabled_services": list(SERVICE_CODES), "promptpay_biller_id": fields.get("tax_id", "0994000158041") + "01"}
    town = Municipality(slug=slug, status=status, **{**defaults, **fields})
    town.save()
    Domain.objects.create(domain=f"{slug}.localhost", tenant=town, is_primary=True)
    return town


def make_user(*, roles: tuple[str, ...] = (), kind: str = "staff", password: str = PASSWORD, **fields) -> User:
    """A user in the schema the connection is in now."""
    n = next(_counter)
    fields.setdefault("username", f"user{n}-{connection.schema_name}")
    fields.setdefault("email", f"user{n}@{connection.schema_name}.example.org")
    user = User(kind=kind, **fields)
    user.set_password(password)
    user.save()
    for role in roles:
        user.groups.add(Group.objects.get(name=role))
    return user
