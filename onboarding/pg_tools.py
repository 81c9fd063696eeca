"""Running PostgreSQL's own client tools (pg_dump) against the project database.

The binary is the one on PATH when it is at least as new as the server, else the one bundled in
the pgserver wheel (the embedded database used when DATABASE_URL is not set).
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from pathlib import Path

from django.db import connection


class PgToolMissing(RuntimeError):
    pass


def _server_major() -> int:
    return connection.cursor().connection.info.server_version // 10000


def _tool_major(path: str) -> int:
    out = subprocess.run(
        [path, "--version"], capture_output=True, text=True, check=True, timeout=30
    ).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(match.group(1)) if match else 0


@functools.cache
def _candidates(name: str) -> tuple[str, ...]:
    found = []
    on_path = shutil.which(name)
    if on_path:
        found.append(on_path)
    try:
        import pgserver

        bundled = Path(pgserver.__file__).parent / "pginstall" / "bin" / name
        if bundled.exists():
            found.append(str(bundled))
    except ImportError:
        pass
    return tuple(found)


def pg_binary(name: str) -> str:
    """Path of a client tool that can talk to this server (its major version ≥ the server's)."""
    server = _server_major()
    for path in _candidates(name):
        if _tool_major(path) >= server:
            return path
    raise PgToolMissing(f"no {name} for PostgreSQL {server} (looked on PATH and in the pgserver wheel)")


def connection_env() -> tuple[list[str], dict[str, str]]:
    """Command-line options and environment that point a client tool at the current database."""
    db = connection.settings_dict
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def dump_schema(
    schema: str,
    *,
    data: bool = True,
    inserts: bool = True,
    output: Path | None = None,
    custom_format: bool = False,
) -> str:
    """pg_dump of one schema: as SQL text (returned) or to a file (returns its path)."""
    args, env = connection_env()
    command = [pg_binary("pg_dump"), *args, "--schema", schema, "--no-owner", "--no-privileges"]
    if not data:
        command.append("--schema-only")
    elif inserts:
        command.append("--inserts")
    if custom_format:
        command.append("--format=custom")
    if output is not None:
        command += ["--file", str(output)]
    result = subprocess.run(command, capture_output=True, env=env, timeout=600, check=False)
    if result.returncode != 0:
        raise RuntimeError("pg_dump failed: " + result.stderr.decode("utf-8", "replace")[-2000:])
    return str(output) if output is not None else result.stdout.decode("utf-8")
