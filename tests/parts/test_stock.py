"""Ledger, balances and FIFO lots (P-1, P-2, P-3) through the API, with bad-input refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction

from aftersales.parts.models import AccountEntry, StockBalance, StockLot, StockMove
from tests.flows.helpers import T0, assert_error, frozen
from tests.parts.conftest import counts


def receive(c, qty=5, *, part="P-100", bin="A-01-1-01", wh="qd-main", **line):
    r = c.post(
        "/stock/receipts",
        {"warehouse": wh, "lines": [{"part": part, "bin": bin, "qty": qty, **line}]},
    )
    assert r.status_code == 201, r.content
    return r.json()


def issue(c, qty, *, part="P-100", wh="qd-main", status=201, **kw):
    line = {"part": part, "qty": qty}
    if "bin" in kw:
        line["bin"] = kw.pop("bin")
    r = c.post("/stock/issues", {"warehouse": wh, "lines": [line], **kw})
    assert r.status_code == status, r.content
    return r.json()


def on_hand(c, part="P-100", **kw):
    r = c.get("/stock/on-hand", part=part, **kw)
    assert r.status_code == 200, r.content
    return r.json()["total"]


@pytest.mark.django_db
def test_p1_receipt_by_code_or_barcode_adds_ledger_lot_balance_and_debits_account(
    api, keeper, wh, part
):
    c = api(keeper)
    with frozen(T0):
        doc = receive(c, 4)
        receive(c, 2, part="6901234567890", bin="A-01-1-02")  # scanned barcode
    assert doc["number"].startswith("D") and doc["lines"][0]["bin"] == "A-01-1-01"
    assert on_hand(c) == 6
    assert StockMove.objects.filter(kind="receipt").count() == 2
    assert StockLot.objects.count() == 2
    assert sum(AccountEntry.objects.values_list("amount", flat=True)) == -75  # 6 × 12.50


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("line", "code", "field"),
    [
        ({"qty": 0}, "bad_quantity", "lines.0.qty"),
        ({"qty": -3}, "bad_quantity", "lines.0.qty"),
        ({"part": "NOPE"}, "unknown_part", "lines.0.part"),
        ({"model": "KFR-99"}, "model_mismatch", "lines.0.model"),
        ({"bin": "Z-9-9-9"}, "unknown_bin", "lines.0.bin"),
        ({"qty": "many"}, "validation", "lines.0.qty"),
    ],
)
def test_p1_bad_receipts_are_refused_and_write_nothing(api, keeper, wh, part, line, code, field):
    c = api(keeper)
    before = counts()
    body = {"part": "P-100", "bin": "A-01-1-01", "qty": 2, **line}
    err = assert_error(
        c.post("/stock/receipts", {"warehouse": "qd-main", "lines": [body]}), 422, code
    )
    assert field in err["fields"]
    assert counts() == before


@pytest.mark.django_db
def test_p1_matching_model_is_accepted(api, keeper, wh, part):
    receive(api(keeper), 1, model="KFR-35")
    assert StockBalance.objects.get().qty == 1


@pytest.mark.django_db
def test_p3_fifo_issue_consumes_oldest_lot_first_across_bins(api, keeper, wh, part):
    c = api(keeper)
    with frozen(T0):
        receive(c, 3, bin="B-02-3-04")  # oldest, in another bin
    with frozen(T0 + timedelta(days=1)):
        receive(c, 5, bin="A-01-1-01")
    with frozen(T0 + timedelta(days=2)):
        slip = issue(c, 4)
    lines = {(x["bin"], x["qty"]) for x in slip["lines"]}
    assert lines == {("B-02-3-04", 3), ("A-01-1-01", 1)}
    left = dict(StockLot.objects.values_list("bin__zone", "qty_left"))
    assert left == {"B": 0, "A": 4}
    assert on_hand(c) == 4
    assert sum(StockMove.objects.values_list("qty", flat=True)) == 4


@pytest.mark.django_db
def test_p3_issue_from_named_bin_takes_oldest_lot_in_that_bin(api, keeper, wh, part):
    c = api(keeper)
    with frozen(T0):
        receive(c, 2, bin="A-01-1-01")
        receive(c, 2, bin="B-02-3-04")
    with frozen(T0 + timedelta(days=1)):
        receive(c, 2, bin="A-01-1-01")
        issue(c, 3, bin="A-01-1-01")
    assert StockBalance.objects.get(bin__zone="A").qty == 1
    assert StockBalance.objects.get(bin__zone="B").qty == 2
    lots = list(
        StockLot.objects.filter(bin__zone="A")
        .order_by("received_at")
        .values_list("qty_left", flat=True)
    )
    assert lots == [0, 1]


@pytest.mark.django_db
def test_p3_issue_more_than_on_hand_is_insufficient_stock_and_writes_nothing(api, keeper, wh, part):
    c = api(keeper)
    receive(c, 2)
    before = counts()
    err = assert_error(
        c.post("/stock/issues", {"warehouse": "qd-main", "lines": [{"part": "P-100", "qty": 3}]}),
        409,
        "insufficient_stock",
    )
    assert "2" in err["message"]
    assert counts() == before


@pytest.mark.django_db
def test_p2_issue_from_bin_without_the_part_is_refused(api, keeper, wh, part):
    c = api(keeper)
    receive(c, 2)
    before = counts()
    err = assert_error(
        c.post(
            "/stock/issues",
            {"warehouse": "qd-main", "lines": [{"part": "P-100", "qty": 1, "bin": "B-02-3-04"}]},
        ),
        422,
        "part_not_in_bin",
    )
    assert "lines.0.bin" in err["fields"] or "bin" in err["fields"]
    assert counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize("qty", [0, -1])
def test_p3_zero_or_negative_issue_is_refused(api, keeper, wh, part, qty):
    c = api(keeper)
    receive(c, 2)
    before = counts()
    assert_error(
        c.post("/stock/issues", {"warehouse": "qd-main", "lines": [{"part": "P-100", "qty": qty}]}),
        422,
        "bad_quantity",
    )
    assert counts() == before


@pytest.mark.django_db
def test_p3_multi_line_issue_is_all_or_nothing(api, keeper, wh, part, part2):
    c = api(keeper)
    receive(c, 2)
    before = counts()
    body = {
        "warehouse": "qd-main",
        "lines": [{"part": "P-100", "qty": 1}, {"part": "P-200", "qty": 1}],
    }
    assert_error(c.post("/stock/issues", body), 409, "insufficient_stock")
    assert counts() == before


@pytest.mark.django_db
def test_ledger_rows_cannot_be_updated(api, keeper, wh, part):
    receive(api(keeper), 1)
    with pytest.raises(DatabaseError), transaction.atomic():
        StockMove.objects.update(qty=99)
    assert list(StockMove.objects.values_list("qty", flat=True)) == [1]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite keeps DELETE for the test flush"
)
@pytest.mark.django_db
def test_ledger_rows_cannot_be_deleted_on_postgresql(api, keeper, wh, part):
    receive(api(keeper), 1)
    with pytest.raises(DatabaseError), transaction.atomic():
        StockMove.objects.all().delete()
    assert StockMove.objects.count() == 1


@pytest.mark.django_db
def test_balance_check_constraint_refuses_negative(api, keeper, wh, part):
    receive(api(keeper), 1)
    from django.db import IntegrityError

    with pytest.raises(IntegrityError), transaction.atomic():
        StockBalance.objects.update(qty=-1)


@pytest.mark.django_db
def test_p2_transfer_to_van_keeps_lot_age_and_scrap_needs_reason(api, keeper, wh, van, part):
    c = api(keeper)
    with frozen(T0):
        receive(c, 5)
    with frozen(T0 + timedelta(days=3)):
        r = c.post(
            "/stock/transfers",
            {
                "from_warehouse": "qd-main",
                "to_warehouse": "van-tech",
                "lines": [{"part": "P-100", "qty": 2, "to_bin": "V-1-1-1"}],
            },
        )
        assert r.status_code == 201, r.content
    van_lot = StockLot.objects.get(bin__warehouse=van)
    assert van_lot.received_at == T0 and van_lot.qty_left == 2
    assert on_hand(c, warehouse="van-tech") == 2 and on_hand(c, warehouse="qd-main") == 3
    before = counts()
    assert_error(
        c.post(
            "/stock/scrap",
            {
                "warehouse": "qd-main",
                "lines": [{"part": "P-100", "qty": 1, "bin": "A-01-1-01"}],
                "reason": "",
            },
        ),
        422,
        "validation",
    )
    assert counts() == before
    r = c.post(
        "/stock/scrap",
        {
            "warehouse": "qd-main",
            "lines": [{"part": "P-100", "qty": 1, "bin": "A-01-1-01"}],
            "reason": "rusty",
        },
    )
    assert r.status_code == 201
    assert on_hand(c, warehouse="qd-main") == 2


@pytest.mark.django_db
def test_p10_separate_area_stock_is_never_issued(api, keeper, wh, part):
    c = api(keeper)
    receive(c, 2, bin="X-00-0-00")  # the separate area
    assert_error(
        c.post("/stock/issues", {"warehouse": "qd-main", "lines": [{"part": "P-100", "qty": 1}]}),
        409,
        "insufficient_stock",
    )
    receive(c, 1)
    issue(c, 1)
    assert StockBalance.objects.get(bin__area="separate").qty == 2


@pytest.mark.django_db
def test_return_puts_unused_part_back(api, keeper, wh, part):
    c = api(keeper)
    r = c.post(
        "/stock/returns",
        {"warehouse": "qd-main", "lines": [{"part": "P-100", "qty": 1, "bin": "A-01-1-02"}]},
    )
    assert r.status_code == 201, r.content
    assert on_hand(c) == 1


@pytest.mark.django_db
def test_slip_pdf_and_doc_lookup(api, keeper, wh, part):
    c = api(keeper)
    receive(c, 3)
    slip = issue(c, 2)
    r = c.get(f"/stock/docs/{slip['number']}/slip.pdf")
    assert r.status_code == 200 and r.content[:4] == b"%PDF"
    assert c.get(f"/stock/docs/{slip['number']}").json()["lines"][0]["bin"] == "A-01-1-01"
    assert_error(c.get("/stock/docs/D9999999"), 404, "not_found")


@pytest.mark.django_db
def test_permissions_keeper_of_other_outlet_gets_404_and_tech_cannot_move(
    api, keeper, tech, make_user, other_outlet, wh, other_wh, part
):
    c = api(keeper)
    receive(c, 2)
    stranger = api(make_user("k2", "parts_keeper", outlet=other_outlet))
    before = counts()
    assert_error(
        stranger.post(
            "/stock/issues", {"warehouse": "qd-main", "lines": [{"part": "P-100", "qty": 1}]}
        ),
        404,
        "not_found",
    )
    assert_error(stranger.get("/stock/on-hand", warehouse="qd-main"), 404, "not_found")
    assert stranger.get("/stock/on-hand", part="P-100").json()["total"] == 0
    clerk_c = api(make_user("c1", "clerk"))
    assert_error(
        clerk_c.post(
            "/stock/issues", {"warehouse": "qd-main", "lines": [{"part": "P-100", "qty": 1}]}
        ),
        403,
        "forbidden",
    )
    assert counts() == before


@pytest.mark.django_db
def test_manager_sees_all_stock(api, keeper, manager, wh, part):
    receive(api(keeper), 2)
    assert on_hand(api(manager)) == 2


@pytest.mark.django_db
def test_technician_sees_own_van_only(api, keeper, tech, tech2, wh, van, part):
    k = api(keeper)
    receive(k, 3)
    r = k.post("/stock/transfers", {"from_warehouse": "qd-main", "to_warehouse": "van-tech",
                                     "lines": [{"part": "P-100", "qty": 1, "to_bin": "V-1-1-1"}]})  # fmt: skip
    assert r.status_code == 201
    t = api(tech)
    assert on_hand(t, warehouse="van-tech") == 1
    assert on_hand(t) == 1  # the store is not his
    assert_error(t.get("/stock/on-hand", warehouse="qd-main"), 404, "not_found")
    assert_error(api(tech2).get("/stock/on-hand", warehouse="van-tech"), 404, "not_found")
