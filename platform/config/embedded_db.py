"""An embedded PostgreSQL for machines that have none (the `pgserver` wheel).

Used only when DATABASE_URL is not set. The server's data lives under `.data/pg/` in the
repository; every process that asks (web, worker, beat, tests) shares the one server, and the
server stops when the last of them exits.
"""

from __future__ import annotations

import os
from pathlib import Path

DATABASE_NAME = "thongthin"


def data_dir() -> Path:
    root = Path(os.environ.get("THONGTHIN_DATA_DIR", Path(__file__).resolve().parents[2] / ".data"))
    return root / "pg"


def database_url() -> str:
    """Start (or join) the embedded server and return a URL for the project's database."""
    import logging

    import pgserver  # imported lazily: only machines without DATABASE_URL need it

    # Its INFO lines run at interpreter exit, after test runners closed their streams.
    logging.getLogger("pgserver").setLevel(logging.WARNING)

    pgdata = data_dir()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608 (constant)
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    return server.get_uri(DATABASE_NAME)
