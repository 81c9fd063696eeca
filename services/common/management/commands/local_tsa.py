"""Run the local RFC 3161 timestamp authority for development (never production).

    python manage.py local_tsa [--port 8216] [--keys DIR]

Keys are kept in DIR (default: <DATA_DIR>/local-tsa) so the root stays the same between runs; put
http://127.0.0.1:<port>/tsa in the town's signing settings and trust DIR/root.pem when validating.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from services.common.signing.local_tsa import LocalTimestampAuthority, load_or_make


class Command(BaseCommand):
    help = "Serve a local RFC 3161 timestamp authority on 127.0.0.1 (development and tests only)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("TSA_PORT", "8216")))
        parser.add_argument("--keys", default=str(Path(settings.DATA_DIR) / "local-tsa"))

    def handle(self, *args, port: int, keys: str, **options):
        root, tsa, key = load_or_make(Path(keys))
        authority = LocalTimestampAuthority(root=root, tsa=tsa, tsa_key=key, port=port)
        self.stdout.write(f"local TSA at {authority.url} (root: {Path(keys) / 'root.pem'})")
        try:
            authority.serve_forever()
        except KeyboardInterrupt:
            authority.stop()
