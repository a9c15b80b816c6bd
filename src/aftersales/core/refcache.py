"""Small reference tables (policy, SLA rules, code tables, outlets) held per process.

Every intake and every action needs them, and reading five tables per request was a third
of an order's intake time. A cache entry is dropped at once in the process that saves or
deletes one of its models, and re-read by the other processes (gunicorn workers) after
`ttl` seconds — an administrator's edit reaches every worker within that time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db.models.signals import post_delete, post_save

_T = TypeVar("_T")
_ALL: list[ProcessCache[Any]] = []


class ProcessCache(Generic[_T]):
    def __init__(self, load: Callable[[], _T], *, models: tuple[str, ...], ttl: float = 5.0):
        self._load = load
        self._ttl = ttl
        self._value: tuple[float, _T] | None = None
        self._lock = threading.Lock()
        for label in models:  # "app_label.Model": connected lazily once the model exists
            post_save.connect(self._drop, sender=label, weak=False)
            post_delete.connect(self._drop, sender=label, weak=False)
        _ALL.append(self)

    def get(self) -> _T:
        now = time.monotonic()
        held = self._value
        if held is not None and now - held[0] < self._ttl:
            return held[1]
        with self._lock:
            value = self._load()
            self._value = (now, value)
        return value

    def clear(self) -> None:
        self._value = None

    def _drop(self, **_: Any) -> None:
        self.clear()


def clear_all() -> None:
    """Forget every cached table (tests call this between tests: rollbacks send no signal)."""
    for c in _ALL:
        c.clear()
