from __future__ import annotations

import subprocess
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the web UI and API (gunicorn; --dev for Django's auto-reloading server)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")
        parser.add_argument("--workers", default="2")
        parser.add_argument("--dev", action="store_true")

    def handle(self, *args: Any, host: str, port: str, workers: str, dev: bool, **kw: Any) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"Aftersales on http://{host}:{port}/  (API docs: /api/v1/docs)")
        if dev:
            call_command("runserver", f"{host}:{port}")
            return
        cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            "aftersales.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            workers,
            "--access-logfile",
            "-",
        ]
        raise SystemExit(subprocess.call(cmd))
