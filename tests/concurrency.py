"""Real concurrency for the PostgreSQL tests: callables started together on threads."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections

from aftersales.domain.errors import DomainError


def race(*calls: Callable[[], Any], timeout: float = 30) -> list[str]:
    """Run every call at once (a barrier releases them together), each on its own thread and
    database connection; the sorted outcomes: "ok", a DomainError's code, or the repr of any
    other exception (so an unexpected failure shows in the test's assertion)."""
    barrier = threading.Barrier(len(calls))
    out: list[str] = []
    lock = threading.Lock()

    def worker(fn: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=timeout)
            fn()
            result = "ok"
        except DomainError as e:
            result = e.code
        except Exception as e:  # noqa: BLE001 - reported as the outcome
            result = repr(e)
        finally:
            connections.close_all()
        with lock:
            out.append(result)

    threads = [threading.Thread(target=worker, args=(fn,)) for fn in calls]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=2 * timeout)
    return sorted(out)
