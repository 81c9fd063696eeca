"""The town's signing certificate moves from e-Saraban's settings, where it was encrypted with a key
derived from SECRET_KEY, to the town-wide SigningSettings sealed with the data keys (secret_box).

A stored certificate that the current SECRET_KEY no longer opens cannot be recovered: it is dropped
with a warning, and the town uploads it again (documents are issued unsigned and marked meanwhile).
"""

import base64
import hashlib
import logging

from django.conf import settings
from django.db import migrations

log = logging.getLogger(__name__)


def _old_fernet():
    from cryptography.fernet import Fernet

    key = hashlib.sha256(b"saraban-signing:" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _dates(pkcs12: bytes, passphrase: bytes):
    from cryptography.hazmat.primitives.serialization import pkcs12 as pkcs12_format

    try:
        _key, cert, _others = pkcs12_format.load_key_and_certificates(pkcs12, passphrase or None)
    except ValueError:
        return None, None
    if cert is None:
        return None, None
    return cert.not_valid_before_utc, cert.not_valid_after_utc


def reseal_certificate(apps, schema_editor):
    from cryptography.fernet import InvalidToken

    SarabanSettings = apps.get_model("correspondence", "SarabanSettings")
    SigningSettings = apps.get_model("common", "SigningSettings")
    old = SarabanSettings.objects.filter(signing_pkcs12__isnull=False).first()
    if old is None or not old.signing_pkcs12:
        return
    try:
        pkcs12 = _old_fernet().decrypt(bytes(old.signing_pkcs12))
        passphrase = _old_fernet().decrypt(bytes(old.signing_passphrase or b""))
    except InvalidToken:
        log.warning(
            "schema %s: the stored signing certificate cannot be opened with this SECRET_KEY; upload it again",
            schema_editor.connection.schema_name,
        )
        return
    not_before, not_after = _dates(pkcs12, passphrase)
    row, _created = SigningSettings.objects.get_or_create(pk=1)
    row.pkcs12 = pkcs12  # EncryptedBinaryField: sealed with the newest data key on save
    row.passphrase = passphrase.decode()
    row.subject = old.signing_subject
    row.not_valid_before = not_before
    row.not_valid_after = not_after
    row.save()


def unseal_back(apps, schema_editor):
    SarabanSettings = apps.get_model("correspondence", "SarabanSettings")
    SigningSettings = apps.get_model("common", "SigningSettings")
    row = SigningSettings.objects.filter(pk=1).first()
    if row is None or not row.pkcs12:
        return
    config, _created = SarabanSettings.objects.get_or_create(pk=1)
    config.signing_pkcs12 = _old_fernet().encrypt(bytes(row.pkcs12))
    config.signing_passphrase = _old_fernet().encrypt((row.passphrase or "").encode())
    config.signing_subject = row.subject
    config.save()


class Migration(migrations.Migration):
    dependencies = [
        ("common", "0005_signing_settings"),
        ("correspondence", "0005_document_forms"),
    ]

    operations = [
        migrations.RunPython(reseal_certificate, unseal_back),
        migrations.RemoveField(model_name="sarabansettings", name="signing_passphrase"),
        migrations.RemoveField(model_name="sarabansettings", name="signing_pkcs12"),
        migrations.RemoveField(model_name="sarabansettings", name="signing_subject"),
    ]
