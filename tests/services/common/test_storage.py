from django_tenants.utils import schema_context

from services.common.files.storage import TownFileStorage, TownS3Storage


def test_s3_storage_keys_are_prefixed_with_the_schema(town_a, town_b, settings):
    settings.AWS_STORAGE_BUCKET_NAME = "bucket"
    storage = TownS3Storage()
    with schema_context(town_a.schema_name):
        assert storage._normalize_name("complaints/photo.jpg") == f"{town_a.schema_name}/complaints/photo.jpg"
    with schema_context(town_b.schema_name):
        assert storage._normalize_name("complaints/photo.jpg") == f"{town_b.schema_name}/complaints/photo.jpg"


def test_local_storage_location_follows_the_schema(town_a):
    storage = TownFileStorage()
    with schema_context(town_a.schema_name):
        assert storage.location.endswith(f"/media/{town_a.schema_name}")
