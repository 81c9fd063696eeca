"""Onboarding fixtures: the captured template (committed once per session) and valid town specs."""

from __future__ import annotations

import itertools

import pytest

from services.common.thai_id import thai_id_check_digit

_serial = itertools.count(1)


def valid_tax_id(n: int) -> str:
    first = f"0994{n:08d}"
    return first + str(thai_id_check_digit(first))


def square(lon: float = 100.89, lat: float = 12.74, size: float = 0.02) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [
            [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
        ],
    }


def make_spec(**overrides) -> dict:
    """A complete, valid town spec (Sattahip district, Chon Buri) unique within the test session."""
    from onboarding.service_defaults import default_service_settings

    n = next(_serial)
    tax_id = valid_tax_id(7000 + n)
    services = default_service_settings(tax_id)
    services["correspondence"]["letter_prefix"] = "ชบ 52105"
    spec = {
        "name_th": f"เทศบาลตำบลทดสอบ {n}",
        "name_en": f"Test Town {n}",
        "short_code": "T" + "ABCDEFGHJK"[n % 10] + chr(65 + n % 26) + chr(65 + (n // 26) % 26),
        "kind": "subdistrict",
        "lao_code": f"052009{n % 100:02d}",
        "province_code": "20",
        "district_code": "2009",
        "tax_id": tax_id,
        "address": "ตำบลทดสอบ อำเภอสัตหีบ จังหวัดชลบุรี 20250",
        "phone": "038123456",
        "email": f"office{n}@example.org",
        "slug": f"test-town-{n}",
        "custom_domain": "",
        "boundary": square(),
        "communities": ["ชุมชนบ้านเนิน", "ชุมชนหาดทอง"],
        "services": services,
        "departments": [
            {"code": "office", "name_th": "สำนักปลัด", "name_en": "Office of the Clerk"},
            {"code": "engineering", "name_th": "กองช่าง", "name_en": "Engineering"},
        ],
        "admin": {"first_name": "สมศรี", "last_name": "ดูแลระบบ", "email": f"admin{n}@example.org"},
        "staff": [
            {
                "name": "สมชาย ช่างดี",
                "email": f"eng{n}@example.org",
                "phone": "0812345678",
                "department": "engineering",
                "role": "building_engineer",
            },
            {
                "name": "สุดา บริการ",
                "email": f"oss{n}@example.org",
                "department": "office",
                "roles": ["oss_officer", "officer"],
            },
        ],
        "branding": {"colour": "#0b5394", "welcome_th": "ยินดีต้อนรับ", "welcome_en": "Welcome"},
    }
    spec.update(overrides)
    return spec


@pytest.fixture(scope="session")
def schema_template(django_db_setup, django_db_blocker):
    """The template schema, migrated and captured once for the session (committed: pg_dump reads it)."""
    from onboarding.schema_template import build_template

    with django_db_blocker.unblock():
        return build_template()


def unapply_a_leaf_migration(schema: str) -> tuple[str, str]:
    """Roll one leaf migration of a town app back in `schema`, as if a deploy died before it ran.

    A leaf has no dependents, so reversing it leaves a consistent, half-migrated history whatever
    migrations the services add later."""
    from django.apps import apps as django_apps
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from config.tenancy import TENANT_ONLY

    labels = {django_apps.get_app_config(name.rsplit(".", 1)[-1]).label for name in TENANT_ONLY}
    connection.set_schema(schema)
    try:
        executor = MigrationExecutor(connection)
        graph = executor.loader.graph
        leaf = sorted(node for node in graph.leaf_nodes() if node[0] in labels)[0]
        parents = [p for p in graph.node_map[leaf].parents if p[0] == leaf[0]]
        executor.migrate([parents[0] if parents else (leaf[0], None)])
    finally:
        connection.set_schema_to_public()
    return leaf
