"""Every list of the parts app exports to CSV and XLSX through core.export, with the filters
on screen (and the caller's visibility)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from aftersales.parts.models import Bin, StockBalance
from tests.flows.helpers import T0, frozen, receive
from tests.parts.test_requests import _to_fitted, finish, req, step
from tests.parts.test_stock import issue
from tests.parts.test_stock import receive as stock_in

FORMATS = ("csv", "xlsx")


@pytest.fixture
def web(keeper):
    c = Client()
    c.force_login(keeper)
    return c


def table(web, url: str, fmt: str) -> list[list[str]]:
    """The export's rows (header first) as text, whatever the format."""
    sep = "&" if "?" in url else "?"
    r = web.get(f"{url}{sep}format={fmt}")
    assert r.status_code == 200, r
    body = b"".join(r.streaming_content)
    if fmt == "csv":
        assert r["Content-Type"].startswith("text/csv")
        return [row for row in csv.reader(io.StringIO(body.decode("utf-8-sig")))]
    assert body[:2] == b"PK"
    ws = load_workbook(io.BytesIO(body)).worksheets[0]
    return [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_export_stock_on_hand_with_part_and_warehouse_filters(
    api, web, keeper, wh, part, part2, other_wh, fmt
):
    k = api(keeper)
    stock_in(k, 5)
    stock_in(k, 2, part="P-200", bin="A-01-1-02")
    rows = table(web, "/parts/?part=P-100", fmt)
    assert len(rows[0]) == 8
    assert [(r[0], r[3], r[5]) for r in rows[1:]] == [("P-100", "A-01-1-01", "5")]
    rows = table(web, "/parts/?warehouse=qd-main", fmt)
    assert sorted(r[0] for r in rows[1:]) == ["P-100", "P-200"]
    # A scanned barcode finds the part; no filter shows (and exports) nothing, as on screen.
    assert [r[0] for r in table(web, "/parts/?part=6901234567890", fmt)[1:]] == ["P-100"]
    assert len(table(web, "/parts/", fmt)) == 1  # the header only


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_p5_export_ageing_rows_and_summary_respect_warehouse_and_visibility(
    api, web, keeper, make_user, wh, part, other_wh, fmt
):
    k = api(keeper)
    stock_in(k, 5)
    stock_in(k, 1, bin="A-01-1-02")
    other_keeper = make_user("keeper2", "parts_keeper", outlet=other_wh.outlet)
    stock_in(api(other_keeper), 3, wh="jn-main")
    StockBalance.objects.update(aged_from=timezone.now() - timedelta(days=100))
    StockBalance.objects.filter(bin__zone="A", bin__position="02").update(
        aged_from=timezone.now() - timedelta(days=40)
    )
    rows = table(web, "/parts/ageing/", fmt)
    # The keeper's outlet only (not jn-main), oldest first, with the band.
    assert [(r[2], r[3], r[8]) for r in rows[1:]] == [
        ("qd-main", "A-01-1-01", "red"),
        ("qd-main", "A-01-1-02", "yellow"),
    ]
    assert len(table(web, "/parts/ageing/?warehouse=qd-main&page=2", fmt)) == 3  # all rows
    summary = table(web, "/parts/ageing/?warehouse=qd-main&summary=1", fmt)
    assert [r[0] for r in summary[1:]] == ["qd-main"]
    assert (summary[1][1], summary[1][4]) == ("1", "1")  # one yellow line, one red line
    # Another outlet's warehouse is not found, not exported.
    assert web.get(f"/parts/ageing/?warehouse=jn-main&format={fmt}").status_code == 404


@pytest.mark.django_db
def test_p5_cli_ageing_export_csv_by_extension(tmp_path, api, keeper, wh, part):
    stock_in(api(keeper), 2)
    StockBalance.objects.update(aged_from=timezone.now() - timedelta(days=95))
    f = tmp_path / "ageing.csv"
    call_command("parts", "ageing", "--export", str(f), stdout=io.StringIO())
    rows = list(csv.reader(io.StringIO(f.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 2 and rows[1][0] == "P-100" and rows[1][-1] == "red"


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_o13_export_requests_with_status_and_order_filters(
    api, web, keeper, tech, clerk, order_no, fmt
):
    t, k = api(tech), api(keeper)
    with frozen(T0 + timedelta(hours=1)):
        r1 = req(t, order_no)
        r2 = req(t, order_no, part="P-100", quantity=1)
        step(k, r2["id"], "cancel")
    rows = table(web, "/parts/requests/?status=requested", fmt)
    assert [r[0] for r in rows[1:]] == [str(r1["id"])]
    rows = table(web, "/parts/requests/?status=cancelled", fmt)
    assert [r[0] for r in rows[1:]] == [str(r2["id"])]
    rows = table(web, f"/parts/requests/?order={order_no}", fmt)
    assert sorted(r[0] for r in rows[1:]) == sorted([str(r1["id"]), str(r2["id"])])
    assert rows[1][1] == order_no


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_o13_export_arrived_today(api, web, keeper, tech, order_no, wh, fmt):
    t, k = api(tech), api(keeper)
    r = req(t, order_no)
    for a, body in (("approve", {}), ("ship", {}), ("receive", {"bin": "A-01-1-01"})):
        step(k, r["id"], a, body)
    rows = table(web, "/parts/arrived-today/", fmt)
    assert [x[0] for x in rows[1:]] == [str(r["id"])]


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_p4_export_counts_and_count_sheet_variances(api, web, keeper, wh, part, part2, fmt):
    k = api(keeper)
    stock_in(k, 5)
    stock_in(k, 2, part="P-200", bin="A-01-1-02")
    sheet = k.post("/stock/counts", {"warehouse": "qd-main"}).json()
    line = next(x for x in sheet["lines"] if x["part"] == "P-100")
    k.post(f"/stock/counts/{sheet['id']}/lines/{line['id']}", {"counted": 3, "reason": "broken"})
    rows = table(web, "/parts/counts/", fmt)
    assert [(r[0], r[1], r[2]) for r in rows[1:]] == [(str(sheet["id"]), "qd-main", "open")]
    rows = table(web, f"/parts/counts/{sheet['id']}/", fmt)
    by_part = {r[1]: r for r in rows[1:]}
    assert (by_part["P-100"][3], by_part["P-100"][4], by_part["P-100"][5]) == ("5", "3", "-2")
    assert by_part["P-200"][4] == "" and by_part["P-100"][6] == "broken"


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_p6_export_reorder_suggestions_for_the_warehouse(api, web, keeper, clerk, wh, part, fmt):
    k, c = api(keeper), api(clerk)
    with frozen(T0):
        stock_in(k, 12)
        for i in range(5):
            issue(k, 2, order=receive(c, source_ref=f"X{i}")["number"])
    with frozen(T0 + timedelta(days=1)):
        web.force_login(keeper)  # a session of that (frozen) day
        rows = table(web, "/parts/reorder/?warehouse=qd-main", fmt)
    assert [(r[0], r[5], r[7]) for r in rows[1:]] == [("P-100", "2", "1")]
    assert web.get(f"/parts/reorder/?warehouse=jn-nope&format={fmt}").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_p7_p8_p9_export_accounts_movements_returns_and_ratio(
    api, web, keeper, clerk, tech, manager, order_no, fmt
):
    k = api(keeper)
    with frozen(T0):
        stock_in(k, 4)  # a purchase: −50.00
        _to_fitted(api, tech, keeper, order_no)
        finish(api(clerk), api(tech), order_no, T0)
    api(manager).post("/stock/accounts/deposits", {"outlet": "qd-01", "amount": "6000"})
    rows = table(web, "/parts/account/?list=accounts", fmt)
    assert [r[0] for r in rows[1:]] == ["qd-01"]
    moves = table(web, "/parts/account/?list=movements", fmt)
    assert len(moves) - 1 == 3  # the two receipts (purchase) and the deposit
    assert {r[0] for r in moves[1:]} == {"qd-01"}
    with frozen(T0 + timedelta(days=1)):
        web.force_login(keeper)
        due = table(web, "/parts/account/?list=returns", fmt)
        overdue = table(web, "/parts/account/?list=returns&overdue=1", fmt)
    assert [r[0] for r in due[1:]] == [order_no] and overdue[1:] == []
    with frozen(T0 + timedelta(days=4)):
        web.force_login(keeper)
        overdue = table(web, "/parts/account/?list=returns&overdue=1", fmt)
    assert [(r[0], r[3], r[7]) for r in overdue[1:]] == [(order_no, "tech", "1")]
    web.force_login(keeper)
    month = timezone.localtime(T0).strftime("%Y-%m")
    ratio = table(web, f"/parts/account/?list=ratio&month={month}", fmt)
    assert [(r[0], r[1]) for r in ratio[1:]] == [("qd-01", month)]
    assert table(web, "/parts/account/?list=ratio&month=2001-01", fmt)[1:] == []


@pytest.mark.django_db
def test_account_page_links_carry_filters(web, wh):
    r = web.get("/parts/account/?month=2026-12&overdue=1")
    html = r.content.decode()
    assert "list=ratio" in html and "month=2026-12" in html and "format=xlsx" in html
    assert Bin.objects.count() == 4
