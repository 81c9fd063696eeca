"""The public boundary index: which live town covers a pin (names and boundaries only)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import connection

from tenants.boundaries import sync_boundary, towns_containing
from tenants.models import Municipality, TownBoundary

pytestmark = pytest.mark.django_db


def slugs(lat, lon) -> list[str]:
    return [t.slug for t in towns_containing(lat, lon)]


def test_the_index_follows_the_towns_and_finds_the_right_one(town_a, town_b):
    assert slugs(12.75, 100.90) == ["alpha"]
    assert slugs(12.80, 100.90) == ["beta"]
    assert sorted(slugs(12.78, 100.90)) == ["alpha", "beta"]  # on the shared border: both
    assert slugs(12.80, 100.875) == ["beta"]  # beta reaches further west than alpha
    assert slugs(12.50, 100.50) == []
    found = towns_containing(12.80, 100.90)[0]
    assert (found.name_th, found.name_en, found.host) == ("เทศบาลตำบลเบตา", "Beta", "beta.localhost")


def test_a_suspended_town_is_not_offered_and_a_moved_boundary_is_reindexed(town_a, town_b):
    connection.set_schema_to_public()
    town_b.status = "suspended"
    town_b.save()
    assert slugs(12.80, 100.90) == []
    town_b.status = "live"
    town_b.boundary = {
        "type": "Polygon",
        "coordinates": [[[101.0, 13.0], [101.1, 13.0], [101.1, 13.1], [101.0, 13.1], [101.0, 13.0]]],
    }
    town_b.save()
    assert slugs(12.80, 100.90) == []
    assert slugs(13.05, 101.05) == ["beta"]
    row = TownBoundary.objects.get(town=town_b)
    assert (row.min_lat, row.max_lat, row.min_lon, row.max_lon) == (13.0, 13.1, 101.0, 101.1)


def test_no_boundary_or_a_broken_one_removes_the_row(town_b):
    connection.set_schema_to_public()
    town_b.boundary = None
    town_b.save()
    assert not TownBoundary.objects.filter(town=town_b).exists()
    town_b.boundary = {"type": "Polygon", "coordinates": "nonsense"}
    assert sync_boundary(town_b) is None
    assert slugs(12.80, 100.90) == []


def test_the_index_reveals_names_and_boundaries_only():
    fields = {f.name for f in TownBoundary._meta.get_fields()}
    assert fields == {
        "id",
        "town",
        "slug",
        "name_th",
        "name_en",
        "is_live",
        "min_lat",
        "max_lat",
        "min_lon",
        "max_lon",
        "geojson",
        "updated_at",
    }


def test_the_migration_backfills_existing_towns(town_a, town_b):
    connection.set_schema_to_public()
    TownBoundary.objects.all().delete()
    migration = importlib.import_module("tenants.migrations.0003_town_boundary_index")
    migration.backfill(apps, None)
    assert set(TownBoundary.objects.values_list("slug", flat=True)) >= {"alpha", "beta"}
    assert slugs(12.80, 100.90) == ["beta"]
    assert Municipality.objects.filter(boundary_index__isnull=False).count() == TownBoundary.objects.count()
