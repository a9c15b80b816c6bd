"""O-3 bulk import spread over worker processes gives the single-process result."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from aftersales.accounts.models import Outlet
from aftersales.orders.models import Order, OrderEvent
from aftersales.orders.parallel import _parallel_ok, import_file
from tests.flows.test_import_reconcile import row, write_csv

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="workers need PostgreSQL"),
    pytest.mark.usefixtures("reference_data"),
]


def _summary(path: str, jobs: int) -> tuple[int, int, list[tuple[int, str]]]:
    created = skipped = 0
    errors: list[tuple[int, str]] = []
    for r in import_file(path, actor=None, now=timezone.now(), batch_size=7, jobs=jobs):
        created += len(r.numbers)
        skipped += len(r.skipped)
        errors += [(line, e.code) for line, e in r.errors]
    return created, skipped, sorted(errors)


def test_o3_parallel_import_takes_good_rows_reports_bad_lines_and_never_twice(tmp_path):
    assert _parallel_ok(2)  # no open transaction here: the workers really run
    Outlet.objects.create(code="qd-01", name="Qingdao 1", region="Qingdao", market_tier=1)
    rows = [row(f"PAR-{i}", phones=f"1380013{i:04d}") for i in range(60)]
    rows[10]["phones"] = "12"  # line 12
    rows[40]["category"] = "hovercraft"  # line 42
    path = write_csv(tmp_path / "feed.csv", rows)
    created, skipped, errors = _summary(path, jobs=2)
    assert (created, skipped) == (58, 0)
    assert errors == [(12, "validation"), (42, "validation")]
    assert Order.objects.filter(source_ref__startswith="PAR-").count() == 58
    assert OrderEvent.objects.filter(action="receive").count() == 58
    # Every customer was found or created once per phone, whichever worker took the row.
    assert Order.objects.values("customer_id").distinct().count() == 58
    # Re-running the same file receives nothing twice.
    assert _summary(path, jobs=2) == (0, 58, errors)
    assert Order.objects.count() == 58
