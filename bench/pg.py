"""Reach PostgreSQL, create the benchmark database and migrate it."""

from __future__ import annotations

import subprocess
import sys

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from .config import AFTERSALES, ROOT, child_env, database_url

HELP = """PostgreSQL is not reachable at {where} ({err}).

Start it and create the role, e.g.:
  pg_ctlcluster 15 main start
  su postgres -c "psql -c \\"CREATE ROLE aftersales LOGIN SUPERUSER PASSWORD 'aftersales'\\""
or point DATABASE_URL at another server (postgres://USER:PASS@HOST:PORT/DB)."""


def params() -> dict:
    return conninfo_to_dict(database_url())


def connect(**kw) -> psycopg.Connection:
    return psycopg.connect(make_conninfo(database_url()), **kw)


def ensure_database() -> None:
    """Create the database named in DATABASE_URL (via the `postgres` db) if it is missing."""
    p = params()
    name = p.get("dbname") or "aftersales_bench"
    admin = make_conninfo(database_url(), dbname="postgres")
    where = f"{p.get('host', 'localhost')}:{p.get('port', 5432)}"
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                print(f"creating database {name}")
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.OperationalError as e:
        sys.exit(HELP.format(where=where, err=str(e).strip().splitlines()[0]))


def migrate() -> None:
    r = subprocess.run(
        [AFTERSALES, "migrate", "--no-input"],
        cwd=ROOT,
        env=child_env(),
        capture_output=True,
        text=True,
    )
    if r.returncode != 0:
        sys.exit(f"aftersales migrate failed:\n{r.stdout}\n{r.stderr}")


def server_version() -> str:
    with connect() as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


def server_settings() -> dict[str, str]:
    names = (
        "shared_buffers",
        "work_mem",
        "effective_cache_size",
        "max_connections",
        "max_wal_size",
        "jit",
        "synchronous_commit",
    )
    with connect() as conn:
        return {
            n: conn.execute(sql.SQL("SHOW {}").format(sql.Identifier(n))).fetchone()[0]
            for n in names
        }
