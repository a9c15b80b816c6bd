"""Whatever sequence of movements runs, balances equal the ledger's sum and the lots' rest."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import timedelta

import pytest
from django.db.models import Sum

from aftersales.domain.errors import DomainError
from aftersales.parts import inputs, services
from aftersales.parts.models import StockBalance, StockLot, StockMove
from tests.flows.helpers import T0

BINS = ["A-01-1-01", "A-01-1-02", "B-02-3-04"]


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_p3_balances_equal_ledger_and_lots_after_random_movements(
    keeper, wh, van, part, part2, seed
):
    rnd = random.Random(seed)
    refused = 0
    for step in range(60):
        now = T0 + timedelta(hours=step)
        code = rnd.choice(["P-100", "P-200"])
        qty = rnd.randint(1, 6)
        kind = rnd.choice(["receive", "receive", "issue", "issue_bin", "transfer", "scrap"])
        try:
            if kind == "receive":
                services.stock_receive(
                    actor=keeper,
                    now=now,
                    data=inputs.ReceiptIn(
                        warehouse="qd-main",
                        lines=[inputs.ReceiptLine(part=code, bin=rnd.choice(BINS), qty=qty)],
                    ),
                )
            elif kind == "issue":
                services.stock_issue(
                    actor=keeper,
                    now=now,
                    data=inputs.IssueIn(
                        warehouse="qd-main", lines=[inputs.IssueLine(part=code, qty=qty)]
                    ),
                )
            elif kind == "issue_bin":
                services.stock_issue(
                    actor=keeper,
                    now=now,
                    data=inputs.IssueIn(
                        warehouse="qd-main",
                        lines=[inputs.IssueLine(part=code, qty=qty, bin=rnd.choice(BINS))],
                    ),
                )
            elif kind == "transfer":
                services.stock_transfer(
                    actor=keeper,
                    now=now,
                    data=inputs.TransferIn(
                        from_warehouse="qd-main",
                        to_warehouse="van-tech",
                        lines=[inputs.TransferLine(part=code, qty=qty, to_bin="V-1-1-1")],
                    ),
                )
            else:
                services.stock_scrap(
                    actor=keeper,
                    now=now,
                    data=inputs.ScrapIn(
                        warehouse="qd-main",
                        reason="damaged",
                        lines=[inputs.PutLine(part=code, qty=qty, bin=rnd.choice(BINS))],
                    ),
                )
        except DomainError as e:
            assert e.code in ("insufficient_stock", "part_not_in_bin"), e
            refused += 1
    ledger: dict[tuple[int, int], int] = defaultdict(int)
    for p, b, q in StockMove.objects.values_list("part_id", "bin_id").annotate(q=Sum("qty")):
        ledger[(p, b)] += q
    lots = {
        (p, b): q
        for p, b, q in StockLot.objects.values_list("part_id", "bin_id").annotate(q=Sum("qty_left"))
    }
    balances = {(x.part_id, x.bin_id): x.qty for x in StockBalance.objects.all()}
    assert balances == dict(ledger) == lots
    assert all(q >= 0 for q in balances.values())
    assert 0 < refused < 60
