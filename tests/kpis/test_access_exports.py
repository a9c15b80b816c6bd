"""Filters and their errors, who sees what, exports (CSV and XLSX with the filters on
screen), the boards (D-3, O-12)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from aftersales.kpis.models import Report
from aftersales.orders.models import Order
from tests.flows.helpers import T0, act, assert_error, frozen, receive, window
from tests.kpis.conftest import MONTH, READ_AT, read

pytestmark = pytest.mark.django_db


def _get(client, path, **params):
    with frozen(READ_AT):
        return client.get(path, **params)


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"outlet": "nope"}, "unknown_outlet", "outlet"),
        ({"technician": "ghost"}, "unknown_technician", "technician"),
        ({"technician": "clerk"}, "unknown_technician", "technician"),  # not a technician
        ({"category": "spaceship"}, "unknown_category", "category"),
        ({"region": "Mars"}, "unknown_region", "region"),
        ({"month": None, "from": "2026-12-10", "to": "2026-12-01"}, "period_reversed", "to"),
        ({"month": "2027-01"}, "period_in_future", "month"),
        ({"month": "2026-1"}, "validation", "month"),
    ],
)
def test_k2_bad_filters_are_422_with_the_error_shape(api, supervisor, tech, params, code, field):
    query = {"month": MONTH, **params}
    query = {k: v for k, v in query.items() if v is not None}
    before = Report.objects.count()
    for path in ("/kpis", "/kpis/orders"):
        err = assert_error(_get(api(supervisor), path, kpi="csi", **query), 422, code)
        assert field in err["fields"]
    assert Report.objects.count() == before


def test_k2_unknown_drill_kpi_and_part(api, supervisor):
    assert_error(_get(api(supervisor), "/kpis/orders", kpi="luck"), 422, "unknown_kpi")
    assert_error(_get(api(supervisor), "/kpis/orders", kpi="csi", part="half"), 422, "validation")


def test_k2_clerk_sees_only_own_outlet(api, clerk, make_user, other_outlet, supervisor, build):
    build()
    far = make_user("clerk_jn", "clerk", outlet=other_outlet)
    build(client=api(far))
    assert read(api(clerk))["orders_received"]["value"] == "1"
    assert read(api(far))["orders_received"]["value"] == "1"
    # another outlet's code is not a filter a clerk can use
    assert_error(_get(api(clerk), "/kpis", outlet="jn-03"), 422, "unknown_outlet")
    boss = make_user("boss", "manager", outlet=None)
    assert read(api(boss))["orders_received"]["value"] == "2"
    assert read(api(boss), outlet="jn-03")["orders_received"]["value"] == "1"


def test_k2_technician_and_keeper_are_refused(api, tech, make_user, client):
    keeper = make_user("keeper", "parts_keeper")
    for who in (tech, keeper):
        for path in ("/kpis", "/kpis/orders", "/boards/clerk", "/boards/backlog", "/kpis/reports"):
            assert_error(_get(api(who), path), 403, "forbidden")
    client.force_login(tech)
    for page in (
        "/kpis/",
        "/kpis/orders/?kpi=csi",
        "/kpis/board/",
        "/kpis/backlog/",
        "/kpis/reports/",
    ):
        assert client.get(page).status_code == 403


def test_k2_dashboard_page_renders_figures_and_chart_data(client, supervisor, build):
    build()
    with frozen(READ_AT):
        client.force_login(supervisor)
        r = client.get("/kpis/", {"month": MONTH})
    html = r.content.decode()
    assert r.status_code == 200
    assert 'id="kpi-chart-data"' in html and "kpis/vendor/chart.umd.min.js" in html
    assert 'data-kpi="csi"' in html and "/kpis/orders/?month=2026-12" in html


def test_k2_dashboard_page_shows_filter_errors_next_to_the_field(client, supervisor):
    with frozen(READ_AT):
        client.force_login(supervisor)
        r = client.get("/kpis/", {"month": MONTH, "outlet": "nope"})
    assert r.status_code == 422
    assert 'class="field-error"' in r.content.decode()


def _rows_csv(resp) -> list[list[str]]:
    import csv

    text = b"".join(resp.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _rows_xlsx(resp) -> list[list[object]]:
    data = b"".join(resp.streaming_content)
    ws = load_workbook(io.BytesIO(data), read_only=True).active
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_k2_exports_figures_and_drill_down_in_both_formats_with_filters(
    client, supervisor, build, tech
):
    build(assignee=tech)
    build()
    with frozen(READ_AT):
        client.force_login(supervisor)
        for fmt, reader in (("csv", _rows_csv), ("xlsx", _rows_xlsx)):
            figs = reader(client.get("/kpis/", {"month": MONTH, "format": fmt}))
            assert figs[0][0] == "id" and "csi" in [r[0] for r in figs]
            rows = reader(client.get("/kpis/orders/", {"month": MONTH, "kpi": "orders_received", "format": fmt}))  # fmt: skip
            assert rows[0][0] == "number" and len(rows) == 3
            rows = reader(client.get("/kpis/orders/", {"month": MONTH, "kpi": "orders_received", "technician": "tech", "format": fmt}))  # fmt: skip
            assert len(rows) == 2 and rows[1][5] == "tech"
            out = reader(client.get("/kpis/", {"month": MONTH, "table": "outlets", "format": fmt}))
            assert out[1][0] == "qd-01"
            techs = reader(client.get("/kpis/", {"month": MONTH, "table": "technicians", "format": fmt}))  # fmt: skip
            assert techs[1][0] == "tech"


@pytest.fixture
def open_orders(api, clerk, tech):
    """Two open orders received by the clerk: one carried in, one with a visit tomorrow."""
    c, t = api(clerk), api(tech)
    with frozen(T0):
        a = receive(c, source_ref="B1", service_mode="carry_in_one_way", product={"serial": "B1"})
        b = receive(c, source_ref="B2", product={"serial": "B2"})["number"]
        act(c, b, "assign", {"technician": "tech"})
        act(t, b, "appointment", {**window(T0 + timedelta(days=1, hours=1)), "agreed_by": "customer"})  # fmt: skip
    return a["number"], b


def test_d3_clerks_board_per_person_from_the_dispatch_rules(api, clerk, supervisor, open_orders):
    carry, visit = open_orders
    with frozen(T0 + timedelta(hours=2)):
        body = api(supervisor).get("/boards/clerk").json()
        mine = api(clerk).get("/boards/clerk").json()
        assert_error(api(clerk).get("/boards/clerk", person="sup"), 422, "unknown_person")
    board = next(p for p in body["people"] if p["person"] == "clerk")
    assert board["counts"]["carry_in"] == 1 and board["counts"]["tomorrow"] == 1
    assert [r["number"] for r in board["lists"]["carry_in"]] == [carry]
    assert [r["number"] for r in board["lists"]["tomorrow"]] == [visit]
    assert [p["person"] for p in mine["people"]] == ["clerk"]


def test_d3_board_page_and_exports(client, clerk, open_orders):
    with frozen(T0 + timedelta(hours=2)):
        client.force_login(clerk)
        page = client.get("/kpis/board/")
        assert page.status_code == 200 and open_orders[0] in page.content.decode()
        rows = _rows_csv(client.get("/kpis/board/", {"format": "csv"}))
        xrows = _rows_xlsx(client.get("/kpis/board/", {"format": "xlsx"}))
    assert rows[0][:3] == ["person", "list", "number"]
    assert {(r[1], r[2]) for r in rows[1:]} >= {("carry_in", open_orders[0]), ("tomorrow", open_orders[1])}  # fmt: skip
    assert len(xrows) == len(rows)


def test_o12_morning_backlog_with_responsible_person(api, client, supervisor, open_orders):
    carry, visit = open_orders
    with frozen(T0 + timedelta(days=3, hours=1)):
        two = api(supervisor).get("/boards/backlog", over=2).json()
        assert_error(api(supervisor).get("/boards/backlog", over=5), 422, "validation")
        assert_error(api(supervisor).get("/boards/backlog", outlet="zz"), 422, "unknown_outlet")
        client.force_login(supervisor)
        rows = _rows_csv(client.get("/kpis/backlog/", {"over": "3", "format": "csv"}))
        xrows = _rows_xlsx(client.get("/kpis/backlog/", {"over": "3", "format": "xlsx"}))
        page = client.get("/kpis/backlog/", {"over": "2"})
    assert two["count"] == 2 and two["by_person"] == {"tech": 1, "clerk": 1}
    assert {r["number"]: r["responsible"] for r in two["results"]} == {
        carry: "clerk",
        visit: "tech",
    }
    assert len(rows) == 3 and len(xrows) == 3 and rows[0][1] == "responsible"
    assert page.status_code == 200 and visit in page.content.decode()


def test_o12_backlog_respects_the_outlet_filter(api, supervisor, make_user, other_outlet, open_orders):  # fmt: skip
    boss = make_user("boss", "manager", outlet=None)
    with frozen(T0 + timedelta(days=3, hours=1)):
        assert api(boss).get("/boards/backlog", outlet="jn-03").json()["count"] == 0
        assert api(boss).get("/boards/backlog", outlet="qd-01").json()["count"] == 2


def test_k2_orders_drill_page_lists_and_pages(client, supervisor, build):
    for _ in range(3):
        build()
    with frozen(READ_AT):
        client.force_login(supervisor)
        r = client.get("/kpis/orders/", {"month": MONTH, "kpi": "orders_received"})
        bad = client.get("/kpis/orders/", {"month": MONTH, "kpi": "nope"})
    assert r.status_code == 200
    for o in Order.objects.all():
        assert o.number in r.content.decode()
    assert bad.status_code == 422
