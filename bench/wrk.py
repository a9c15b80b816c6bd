"""Drive a POST load with `wrk` (Debian package): a C client, so the load generator takes
little of the two cores it shares with gunicorn and PostgreSQL. Each script ends with the
`DONE` function below, which prints one line this module parses."""

from __future__ import annotations

import re
import shutil
import subprocess
from typing import Any

from .config import HOST, OUT, PORT

DONE = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %d %d\\n", summary.requests,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout, latency:percentile(50), latency:percentile(99), summary.duration))
end
"""


def available() -> bool:
    return shutil.which("wrk") is not None


def run(
    name: str, script: str, *, seconds: int, connections: int, port: int = PORT
) -> dict[str, Any]:
    """Run `script` (Lua, without its `done`) for `seconds` over `connections` connections
    from 2 threads; requests/s, non-2xx answers, socket errors, p50/p99."""
    path = OUT / f"{name}.lua"  # may hold bench tokens: bench/out/ is not committed
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(script + DONE)
    r = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(path),
            f"http://{HOST}:{port}/",
        ],  # fmt: skip
        capture_output=True,
        text=True,
    )
    if r.returncode != 0:
        raise RuntimeError(f"wrk failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    m = re.search(r"RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)", r.stdout)
    assert m, r.stdout + r.stderr
    reqs, bad_status, sock_err, p50, p99, dur_us = (int(x) for x in m.groups())
    return {
        "client": "wrk",
        "rps": round(reqs / (dur_us / 1e6), 1),
        "requests": reqs,
        "non_2xx": bad_status,
        "socket_errors": sock_err,
        "errors": bad_status + sock_err,
        "p50_ms": round(p50 / 1000, 2),
        "p99_ms": round(p99 / 1000, 2),
        "connections": connections,
        "seconds": seconds,
    }
