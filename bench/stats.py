from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from .loadgen import summary_ms


def timed_runs(
    fn: Callable[[], Any], runs: int, *, warmup: int = 1, budget_s: float | None = None
) -> dict[str, Any]:
    """Call fn `runs` times (stopping early once `budget_s` is spent); latency percentiles."""
    result = None
    for _ in range(warmup):
        result = fn()
    lat: list[float] = []
    start = time.perf_counter()
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        lat.append(time.perf_counter() - t)
        if budget_s is not None and time.perf_counter() - start > budget_s and len(lat) >= 5:
            break
    return {**summary_ms(lat), "result": result}
