"""A file import spread over worker processes (PostgreSQL).

One process validates and writes about 3,000 orders a second; the database work of a batch
(COPY into indexed tables, deferred foreign-key checks at commit) and the Python work of the
next one (pydantic, phone parsing) can run side by side. The parent reads the file and hands
out chunks of raw rows; each worker runs the same `orders_receive` as a single-process
import, in its own transactions. At most `2 × jobs` chunks are in flight, so memory stays
flat however long the file is.

Races between workers are the intake's own: a reference or a new customer's phone taken by
another worker meanwhile makes that batch retry row by row (`intake._Race`).
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any

from django.db import connection, connections

from aftersales.accounts.models import User

from .importer import input_rows, read_rows, row_to_input
from .intake import BatchReport, orders_receive


def default_jobs() -> int:
    if connection.vendor != "postgresql":
        return 1  # SQLite has one writer: workers would only queue behind each other
    return max(1, min(4, os.cpu_count() or 1))


def _parallel_ok(jobs: int) -> bool:
    # Workers have their own connections: they cannot see what an open transaction of the
    # caller holds, so inside one the import runs in this process.
    return jobs > 1 and connection.vendor == "postgresql" and not connection.in_atomic_block


def import_file(
    path: str | Path,
    *,
    actor: User | None,
    now: datetime,
    batch_size: int = 2000,
    jobs: int = 1,
) -> Iterator[BatchReport]:
    """Yield one report per written chunk, in file order."""
    if not _parallel_ok(jobs):
        yield from orders_receive(input_rows(path), actor=actor, now=now, batch_size=batch_size)
        return
    rows = read_rows(path)  # checks the header before any worker starts
    first = list(islice(rows, batch_size))
    # Children are forked: they must not share the parent's open database socket.
    connections.close_all()
    actor_id = actor.pk if actor is not None else None
    pending: deque[Future[BatchReport]] = deque()
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        chunk = first
        while chunk:
            pending.append(pool.submit(_receive_chunk, chunk, actor_id, now, batch_size))
            while len(pending) >= 2 * jobs:
                yield pending.popleft().result()
            chunk = list(islice(rows, batch_size))
        while pending:
            yield pending.popleft().result()


def _receive_chunk(
    chunk: list[tuple[int, dict[str, Any]]], actor_id: int | None, now: datetime, batch: int
) -> BatchReport:
    from aftersales.domain.errors import DomainError

    actor = User.objects.get(pk=actor_id) if actor_id is not None else None
    items: list[tuple[int, Any]] = []
    for line, row in chunk:
        try:
            items.append((line, row_to_input(row)))
        except DomainError as e:
            items.append((line, e))
    out = BatchReport()
    for r in orders_receive(items, actor=actor, now=now, batch_size=batch):
        out.numbers.extend(r.numbers)
        out.skipped.extend(r.skipped)
        out.errors.extend(r.errors)
    return out
