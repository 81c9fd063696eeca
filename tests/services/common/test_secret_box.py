"""Stored secrets: sealed with the data keys (not SECRET_KEY), rotatable, never lost."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.test import override_settings

from services.common import secret_box

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


@pytest.fixture
def keys(monkeypatch):
    """Set THONGTHIN_DATA_KEYS for one test (the environment is how deployers set it)."""

    def use(*keys: str) -> None:
        monkeypatch.setenv(secret_box.KEYS_ENV, ",".join(keys))
        secret_box.reset_keys_cache()

    yield use
    monkeypatch.delenv(secret_box.KEYS_ENV, raising=False)
    secret_box.reset_keys_cache()


class Vault(models.Model):
    """A throwaway model with sealed columns; its table is made inside each test's transaction."""

    label = models.CharField(max_length=20)
    secret = secret_box.EncryptedTextField(blank=True, default="")
    blob = secret_box.EncryptedBinaryField(blank=True, default="")

    class Meta:
        app_label = "common"
        db_table = "test_secret_vault"

    def __str__(self) -> str:
        return self.label


@pytest.fixture
def vault_tables(db, town_a, town_b):
    """The Vault table in the public schema and in both towns (rolled back with the test)."""
    for schema in ("public", town_a.schema_name, town_b.schema_name):
        connection.set_schema(schema)
        with connection.schema_editor() as editor:
            editor.create_model(Vault)
    connection.set_schema_to_public()
    yield
    connection.set_schema_to_public()


def test_sealed_value_opens_and_is_not_the_plaintext(keys):
    keys(NEW_KEY)
    token = secret_box.seal("ช่อง LINE: secret-123")
    assert "secret-123" not in token
    assert secret_box.unseal(token).decode() == "ช่อง LINE: secret-123"


def test_sealing_does_not_depend_on_secret_key(keys):
    keys(NEW_KEY)
    token = secret_box.seal(b"pkcs12-bytes")
    with override_settings(SECRET_KEY="another-secret-key-entirely"):
        assert secret_box.unseal(token) == b"pkcs12-bytes"


def test_a_value_sealed_with_an_unknown_key_is_refused(keys):
    keys(OLD_KEY)
    token = secret_box.seal("x")
    keys(NEW_KEY)
    with pytest.raises(secret_box.SealBroken):
        secret_box.unseal(token)
    with pytest.raises(secret_box.SealBroken):
        secret_box.unseal("not a token at all")


def test_bad_key_in_the_environment_is_a_configuration_error(keys):
    from django.core.exceptions import ImproperlyConfigured

    keys("too-short")
    with pytest.raises(ImproperlyConfigured):
        secret_box.seal("x")


def test_development_key_is_made_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv(secret_box.KEYS_ENV, raising=False)
    with override_settings(DATA_DIR=tmp_path):
        secret_box.reset_keys_cache()
        token = secret_box.seal("kept")
        key_file = tmp_path / "data-keys"
        assert key_file.exists()
        assert oct(key_file.stat().st_mode & 0o777) == "0o600"
        secret_box.reset_keys_cache()  # a new process reads the same file
        assert secret_box.unseal(token) == b"kept"
    secret_box.reset_keys_cache()


def test_production_without_data_keys_refuses(monkeypatch, tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.delenv(secret_box.KEYS_ENV, raising=False)
    with override_settings(PRODUCTION=True, DATA_DIR=tmp_path):
        secret_box.reset_keys_cache()
        with pytest.raises(ImproperlyConfigured):
            secret_box.seal("x")
        assert not (tmp_path / "data-keys").exists()
    secret_box.reset_keys_cache()


def test_field_stores_ciphertext_and_reads_plaintext(keys, vault_tables, town_a):
    keys(NEW_KEY)
    connection.set_tenant(town_a)
    Vault.objects.create(label="a", secret="channel-secret", blob=b"\x00\x01binary")
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret, blob FROM test_secret_vault")
        stored_secret, stored_blob = cursor.fetchone()
    assert "channel-secret" not in stored_secret
    assert secret_box.unseal(stored_blob) == b"\x00\x01binary"
    row = Vault.objects.get()
    assert row.secret == "channel-secret"
    assert row.blob == b"\x00\x01binary"


def test_empty_values_stay_empty(keys, vault_tables, town_a):
    keys(NEW_KEY)
    connection.set_tenant(town_a)
    Vault.objects.create(label="empty")
    row = Vault.objects.get()
    assert row.secret == ""
    assert row.blob == b""
    assert not row.secret and not row.blob


def test_unreadable_value_reads_as_unset_and_is_saved_back_unchanged(keys, vault_tables, town_a):
    keys(OLD_KEY)
    connection.set_tenant(town_a)
    Vault.objects.create(label="a", secret="old-secret")
    keys(NEW_KEY)  # the old key was dropped too early
    row = Vault.objects.get()
    assert row.secret == ""
    assert isinstance(row.secret, secret_box.UnreadableSecret)
    row.label = "renamed"
    row.save()
    keys(NEW_KEY, OLD_KEY)  # the old key is put back: nothing was lost
    assert Vault.objects.get().secret == "old-secret"


def test_rotation_reseals_every_schema_with_the_newest_key(keys, vault_tables, town_a, town_b):
    keys(OLD_KEY)
    for town, value in ((town_a, "alpha-secret"), (town_b, "beta-secret")):
        connection.set_tenant(town)
        Vault.objects.create(label=town.slug, secret=value, blob=value.encode())
    connection.set_schema_to_public()
    Vault.objects.create(label="platform", secret="platform-secret")

    keys(NEW_KEY, OLD_KEY)
    call_command("rotate_data_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115

    keys(NEW_KEY)  # the old key can go now
    for town, value in ((town_a, "alpha-secret"), (town_b, "beta-secret")):
        connection.set_tenant(town)
        row = Vault.objects.get()
        assert (row.secret, row.blob) == (value, value.encode())
    connection.set_schema_to_public()
    assert Vault.objects.get().secret == "platform-secret"


def test_rotation_reports_values_no_key_opens(keys, vault_tables, town_a):
    keys(OLD_KEY)
    connection.set_tenant(town_a)
    Vault.objects.create(label="a", secret="lost")
    connection.set_schema_to_public()
    keys(NEW_KEY)
    with pytest.raises(CommandError, match="none of the configured keys"):
        call_command("rotate_data_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_sealed_field_registered_with_auditlog_fails_the_system_check(keys):
    from auditlog.registry import auditlog

    from services.common.checks import sealed_fields_stay_out_of_the_audit_log

    assert sealed_fields_stay_out_of_the_audit_log(None) == []
    auditlog.register(Vault)
    try:
        errors = sealed_fields_stay_out_of_the_audit_log(None)
        assert [e.id for e in errors] == ["thongthin.E002"]
        assert "secret" in errors[0].msg and "blob" in errors[0].msg
    finally:
        auditlog.unregister(Vault)
    auditlog.register(Vault, exclude_fields=["secret", "blob"])
    try:
        assert sealed_fields_stay_out_of_the_audit_log(None) == []
    finally:
        auditlog.unregister(Vault)
