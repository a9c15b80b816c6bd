"""`aftersales run-schedules`: generate due care tasks; idempotent, safe every minute."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from aftersales.care.jobs import run_schedules


class Command(BaseCommand):
    help = (
        "Generate due care tasks (follow-ups, A/B/C contacts, maintenance reminders, lost "
        "customers). Idempotent: run it every minute from cron or a worker loop."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=None, help="rows claimed per batch")
        parser.add_argument(
            "--loop", type=int, default=0, help="run again every N seconds (a worker)"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        while True:
            t0 = time.perf_counter()
            report = run_schedules(batch=opts["batch"])
            took = time.perf_counter() - t0
            made = ", ".join(f"{k} {v}" for k, v in sorted(report.created.items()) if v) or "none"
            self.stdout.write(f"run-schedules: created {made} in {took:.2f} s")
            if not opts["loop"]:
                return
            time.sleep(opts["loop"])
