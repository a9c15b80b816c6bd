"""Paths, defaults and the environment shared by the benchmark's processes."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
AFTERSALES = str(VENV_BIN / "aftersales")

DEFAULT_DATABASE_URL = "postgres://aftersales:aftersales@127.0.0.1:5432/aftersales_bench"
HOST = "127.0.0.1"
PORT = 8765
PASSWORD = "bench"  # every seeded user's password
OUTLETS = 50
TECHS_PER_OUTLET = 4
CUSTOMER_RATIO = 0.6  # customers per order in the seed (the rest are repeat customers)


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL


def child_env(**extra: str) -> dict[str, str]:
    """Environment of the gunicorn, importer and migrate subprocesses."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url(),
        DJANGO_SETTINGS_MODULE="aftersales.settings",
        ALLOWED_HOSTS=HOST,
        LOG_LEVEL=env.get("LOG_LEVEL", "WARNING"),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env
