"""P-3: the PostgreSQL set-based take (one statement) allocates exactly as the pure rule
`domain.parts.fifo_take` and the portable step-by-step path do, on the same data."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftersales.domain import parts as rules
from aftersales.domain.errors import DomainError
from aftersales.domain.parts import Lot, MoveKind
from aftersales.parts import services
from aftersales.parts.models import Bin, StockBalance, StockDoc, StockLot, StockMove

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the set-based path is PostgreSQL's"
)

# (bin index 0–3, minutes after the first receipt, units left); bin 3 is the separate area.
LOTS = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 5), st.integers(0, 6)), min_size=0, max_size=8
)


def _take(path: str, *, keeper, wh, part, qty, b):
    services._force_portable = path == "portable"
    try:
        doc = StockDoc(kind="issue", warehouse=wh, actor=keeper, at=timezone.now())
        taken = services._take(doc, MoveKind.ISSUE, part, wh, qty, b=b, now=doc.at)
        moves = list(StockMove.objects.filter(doc_id=doc.pk).values_list("lot_id", "qty"))
        return [(t.lot_id, t.qty) for t in taken], sorted(moves)
    finally:
        services._force_portable = False


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lots=LOTS, qty=st.integers(1, 20), named=st.sampled_from([None, 0, 1, 3]))
def test_p3_set_based_take_allocates_as_fifo_take(keeper, wh, part, lots, qty, named):
    bins = list(Bin.objects.filter(warehouse=wh).order_by("zone", "shelf", "position"))
    assert bins[3].area == "separate"
    t0 = timezone.now() - timedelta(days=10)
    with transaction.atomic():
        made = []
        per_bin: dict[int, int] = defaultdict(int)
        for i, minutes, left in lots:
            lot = StockLot.objects.create(
                part=part, bin=bins[i], received_at=t0 + timedelta(minutes=minutes),
                qty_in=max(left, 1), qty_left=left, unit_cost=1,
            )  # fmt: skip
            made.append(lot)
            per_bin[i] += left
        for i, n in per_bin.items():
            StockBalance.objects.create(part=part, bin=bins[i], warehouse=wh, qty=n, aged_from=t0)
        b = bins[named] if named is not None else None
        # The rule: the named bin's lots, or the warehouse's stock-area lots.
        pool = [
            Lot(x.pk, x.bin_id, x.received_at, x.qty_left)
            for x in made
            if (b is not None and x.bin_id == b.pk) or (b is None and x.bin.area == "stock")
        ]
        try:
            expected: list[tuple[int, int]] | str = [
                (lot.id, n) for lot, n in rules.fifo_take(pool, qty)
            ]
        except DomainError as e:
            expected = e.code
        if b is not None and named not in per_bin:
            expected = "part_not_in_bin"
        outcomes = {}
        for path in ("sql", "portable"):
            sid = transaction.savepoint()
            try:
                plan, moves = _take(path, keeper=keeper, wh=wh, part=part, qty=qty, b=b)
                # The ledger says the same as the plan: one row per lot, negative.
                assert moves == sorted((lot_id, -n) for lot_id, n in plan)
                outcomes[path] = plan
            except DomainError as e:
                outcomes[path] = e.code
            transaction.savepoint_rollback(sid)
        assert outcomes["sql"] == expected, (lots, qty, named)
        assert outcomes["portable"] == expected, (lots, qty, named)
        transaction.set_rollback(True)
