"""A local RFC 3161 timestamp authority for development and tests, served over HTTP on loopback.

It speaks the published contract (RFC 3161 §3.4: POST `application/timestamp-query`, answer
`application/timestamp-reply`) and signs tokens with pyHanko's test TSA implementation under a
root of its own, made on start (or loaded from a folder so a development setup keeps trusting it).
Never for production: its root is trusted by nobody else.

    python manage.py local_tsa --port 8216 [--keys DIR]
"""

from __future__ import annotations

import datetime as dt
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

MAX_QUERY_BYTES = 64 * 1024


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "TH"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Thongthin development"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def make_authority(days: int = 3650) -> tuple[x509.Certificate, rsa.RSAPrivateKey, x509.Certificate, rsa.RSAPrivateKey]:
    """A root CA and a timestamping certificate under it (extended key usage timeStamping, critical)."""
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root = (
        x509.CertificateBuilder()
        .subject_name(_name("Thongthin local TSA root"))
        .issuer_name(_name("Thongthin local TSA root"))
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .sign(root_key, hashes.SHA256())
    )
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tsa = (
        x509.CertificateBuilder()
        .subject_name(_name("Thongthin local TSA"))
        .issuer_name(root.subject)
        .public_key(tsa_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=days - 1))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(root_key, hashes.SHA256())
    )
    return root, root_key, tsa, tsa_key


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def load_or_make(folder: Path) -> tuple[x509.Certificate, x509.Certificate, rsa.RSAPrivateKey]:
    """The authority kept in `folder` (root.pem, tsa.pem, tsa-key.pem), made there on first use."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {name: folder / name for name in ("root.pem", "tsa.pem", "tsa-key.pem")}
    if not all(p.exists() for p in paths.values()):
        root, _root_key, tsa, tsa_key = make_authority()
        paths["root.pem"].write_bytes(_pem(root))
        paths["tsa.pem"].write_bytes(_pem(tsa))
        paths["tsa-key.pem"].write_bytes(_key_pem(tsa_key))
        paths["tsa-key.pem"].chmod(0o600)
    root = x509.load_pem_x509_certificate(paths["root.pem"].read_bytes())
    tsa = x509.load_pem_x509_certificate(paths["tsa.pem"].read_bytes())
    key = serialization.load_pem_private_key(paths["tsa-key.pem"].read_bytes(), password=None)
    return root, tsa, key  # type: ignore[return-value]


class LocalTimestampAuthority:
    """An RFC 3161 server on 127.0.0.1; `url` is what a town puts in its settings."""

    def __init__(self, *, root: x509.Certificate, tsa: x509.Certificate, tsa_key, port: int = 0) -> None:
        from asn1crypto import keys
        from asn1crypto import x509 as asn1_x509
        from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        der = serialization.Encoding.DER
        self.root = root
        self.root_asn1 = asn1_x509.Certificate.load(root.public_bytes(der))
        tsa_asn1 = asn1_x509.Certificate.load(tsa.public_bytes(der))
        key_info = keys.PrivateKeyInfo.load(
            tsa_key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        )
        self._stamper = DummyTimeStamper(
            tsa_cert=tsa_asn1,
            tsa_key=key_info,
            certs_to_embed=SimpleCertificateStore.from_certs([tsa_asn1, self.root_asn1]),
        )
        self.requests_served = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._thread: threading.Thread | None = None

    @classmethod
    def fresh(cls, port: int = 0) -> LocalTimestampAuthority:
        root, _root_key, tsa, tsa_key = make_authority()
        return cls(root=root, tsa=tsa, tsa_key=tsa_key, port=port)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/tsa"

    def _answer(self, query: bytes) -> bytes:
        from asn1crypto import tsp

        request = tsp.TimeStampReq.load(query)
        request.native  # parse it whole now: a malformed query is a 400, not a token  # noqa: B018
        response = self._stamper.request_tsa_response(request)
        with self._lock:
            self.requests_served += 1
        return response.dump()

    def _handler(self):
        authority = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if self.headers.get("Content-Type", "").split(";")[0].strip() != "application/timestamp-query":
                    self.send_error(415, "expected application/timestamp-query")
                    return
                if not 0 < length <= MAX_QUERY_BYTES:
                    self.send_error(400, "bad length")
                    return
                try:
                    body = authority._answer(self.rfile.read(length))
                except Exception:
                    self.send_error(400, "malformed TimeStampReq")
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:  # quiet in tests
                return

        return Handler

    def start(self) -> LocalTimestampAuthority:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
