import django.db.models.deletion
from django.db import migrations, models


def backfill(apps, schema_editor):
    """Index the boundary of every town that has one (the signal keeps it current from now on)."""
    from shapely.geometry import shape

    Municipality = apps.get_model("tenants", "Municipality")
    TownBoundary = apps.get_model("tenants", "TownBoundary")
    for town in Municipality.objects.exclude(boundary=None):
        try:
            geometry = shape(town.boundary)
        except (TypeError, ValueError, KeyError, AttributeError, IndexError):
            continue
        if geometry.is_empty:
            continue
        min_lon, min_lat, max_lon, max_lat = geometry.bounds
        TownBoundary.objects.update_or_create(
            town_id=town.pk,
            defaults={
                "slug": town.slug,
                "name_th": town.name_th,
                "name_en": town.name_en,
                "is_live": town.status == "live",
                "min_lat": min_lat,
                "max_lat": max_lat,
                "min_lon": min_lon,
                "max_lon": max_lon,
                "geojson": town.boundary,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0002_onboarding_fields"),
    ]

    operations = [
        migrations.CreateModel(
            name="TownBoundary",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("slug", models.CharField(max_length=30)),
                ("name_th", models.CharField(max_length=200)),
                ("name_en", models.CharField(blank=True, max_length=200)),
                ("is_live", models.BooleanField(default=False)),
                ("min_lat", models.FloatField()),
                ("max_lat", models.FloatField()),
                ("min_lon", models.FloatField()),
                ("max_lon", models.FloatField()),
                ("geojson", models.JSONField()),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "town",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="boundary_index",
                        to="tenants.municipality",
                    ),
                ),
            ],
            options={
                "verbose_name": "ขอบเขตพื้นที่ (ดัชนี)",
                "verbose_name_plural": "ขอบเขตพื้นที่ (ดัชนี)",
                "indexes": [
                    models.Index(fields=["is_live", "min_lat", "max_lat"], name="town_boundary_lat"),
                    models.Index(fields=["min_lon", "max_lon"], name="town_boundary_lon"),
                ],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
