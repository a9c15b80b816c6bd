"""Machine description, the targets, and the Markdown table."""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

# Targets for each figure: (direction, value, unit). "<=" means the measured value must not
# exceed it, ">=" that it must reach it. The brief did not quote the numbers, so these
# are working assumptions; edit them here and rerun (or re-render results.json).
# The targets ("Service orders end to end"); rows without one in the issue are
# sanity bounds of ours, marked as such in the README.
TARGETS: dict[str, tuple[str, float, str]] = {
    "seed_s": ("<=", 600, "s"),
    "intake_rps": (">=", 500, "req/s"),
    "intake_p50_ms": ("<=", 100, "ms"),
    "intake_p99_ms": ("<=", 500, "ms"),
    "intake_errors": ("<=", 0, ""),
    "intake_batch_orders_per_s": (">=", 500, "orders/s"),
    "intake_batch_errors": ("<=", 0, ""),
    "intake_worker_peak_rss_mb": ("<=", 256, "MB"),
    "import_100k_orders_per_s": (">=", 20000, "orders/s"),
    "import_100k_peak_rss_mb": ("<=", 300, "MB"),
    "import_20k_peak_rss_mb": ("<=", 300, "MB"),
    "import_rss_ratio_100k_20k": ("<=", 1.2, "×"),
    "backlog_page_clerk_p99_ms": ("<=", 100, "ms"),
    "backlog_page_manager_p99_ms": ("<=", 100, "ms"),
    "backlog_rows_clerk_p99_ms": ("<=", 1000, "ms"),
    "backlog_rows_manager_p99_ms": ("<=", 10000, "ms"),
    "list_page_p99_ms": ("<=", 100, "ms"),
    "list_api_p99_ms": ("<=", 100, "ms"),
    "list_worker_peak_rss_mb": ("<=", 256, "MB"),
}


def machine(pg_version: str, pg_settings: dict[str, str]) -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    load = os.getloadavg()
    return {
        "arch": subprocess.run(["uname", "-m"], capture_output=True, text=True).stdout.strip()
        or platform.machine(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": ram_gb,
        "postgresql": pg_version,
        "pg_settings": pg_settings,
        "python": platform.python_version(),
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "loadavg_at_start": [round(x, 2) for x in load],
    }


def machine_line(m: dict[str, Any]) -> str:
    return (
        f"{m['arch']}, {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM, "
        f"PostgreSQL {m['postgresql']}, {m['date'][:16]}"
    )


def machine_short(m: dict[str, Any]) -> str:
    pg = str(m["postgresql"]).split()[0]
    return f"{m['arch']} {m['cpu']} {m['cores']}c/{m['ram_gb']:.0f}GB PG{pg}"


def verdict(key: str, value: float | None) -> str:
    if key not in TARGETS or value is None:
        return ""
    op, target, _ = TARGETS[key]
    ok = value <= target if op == "<=" else value >= target
    return "✅" if ok else "❌"


def _fmt(v: float | None, unit: str) -> str:
    if v is None:
        return "—"
    if isinstance(v, float) and v != int(v) or unit in ("ms", "×"):
        text = f"{v:,.1f}" if abs(v) >= 10 else f"{v:,.2f}"
    else:
        text = f"{int(v):,}"
    return f"{text} {unit}".strip()


def table(rows: list[tuple[str, str, float | None, str]], m: dict[str, Any], title: str) -> str:
    """rows: (label, metric key, value, unit) → Markdown."""
    mach = machine_short(m)
    lines = [
        f"## {title}",
        "",
        f"Machine: {machine_line(m)}; load average at start {m.get('loadavg_at_start')}.",
        "",
        "| metric | target | measured | machine |",
        "|---|---|---|---|",
    ]
    for label, key, value, unit in rows:
        if key in TARGETS:
            op, target, tunit = TARGETS[key]
            tgt = f"{op} {_fmt(target, tunit)}"
        else:
            tgt = "(info)"
        mark = verdict(key, value)
        lines.append(f"| {label} | {tgt} | {_fmt(value, unit)} {mark} | {mach} |")
    return "\n".join(lines) + "\n"
