"""The shared export: both formats stream the same rows, in the user's wall-clock time."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.test import RequestFactory, override_settings
from openpyxl import load_workbook

from aftersales.core import export


def _rows(n: int):
    for i in range(n):
        yield [f"A{i}", datetime(2026, 3, 1, 2, 0, tzinfo=UTC), Decimal("1.50"), None, "维修"]


@override_settings(TIME_ZONE="Asia/Shanghai")
def test_csv_streams_with_bom_and_local_times() -> None:
    resp = export.response(
        "csv", name="orders", headers=["no", "at", "amount", "x", "类"], rows=_rows(3)
    )
    assert resp.streaming
    body = b"".join(resp.streaming_content).decode("utf-8")  # type: ignore[arg-type]
    assert body.startswith("\ufeff")
    lines = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert lines[0] == ["no", "at", "amount", "x", "类"]
    assert lines[1] == ["A0", "2026-03-01 10:00:00", "1.50", "", "维修"]
    assert len(lines) == 4
    assert "attachment" in resp["Content-Disposition"]


@override_settings(TIME_ZONE="Asia/Shanghai")
def test_xlsx_has_the_same_rows() -> None:
    resp = export.response(
        "xlsx", name="orders: all", headers=["no", "at", "amount", "x", "类"], rows=_rows(3)
    )
    wb = load_workbook(io.BytesIO(b"".join(resp.streaming_content)))  # type: ignore[arg-type]
    ws = wb.active
    assert ws is not None and ws.title == "orders- all"
    got = [list(r) for r in ws.iter_rows(values_only=True)]
    assert got[0] == ["no", "at", "amount", "x", "类"]
    assert got[1][0] == "A0" and got[1][1] == datetime(2026, 3, 1, 10, 0)
    assert len(got) == 4


@pytest.mark.parametrize(
    ("query", "expected"),
    [("format=csv", "csv"), ("format=xlsx", "xlsx"), ("format=pdf", None), ("", None)],
)
def test_wanted_only_knows_the_two_formats(query: str, expected: str | None) -> None:
    assert export.wanted(RequestFactory().get(f"/x/?{query}")) == expected


def test_export_links_keep_filters_and_drop_page() -> None:
    from django.template import Context, Template

    req = RequestFactory().get("/orders/?status=assigned&page=3")
    html = Template("{% load export %}{% export_links %}").render(Context({"request": req}))
    assert "status=assigned&amp;format=csv" in html
    assert "page=3" not in html


@pytest.mark.django_db
def test_order_list_exports_with_the_filters_on_screen(client, api, clerk, outlet) -> None:
    from tests.flows.helpers import act, receive

    c = api(clerk)
    a = receive(c, source_ref="EXP-1")
    receive(c, source_ref="EXP-2")
    act(c, a["number"], "cancel", {"reason": "customer withdrew", "version": a["version"]})
    client.force_login(clerk)
    body = b"".join(client.get("/orders/?status=cancelled&format=csv").streaming_content)
    lines = list(csv.reader(io.StringIO(body.decode("utf-8").lstrip("\ufeff"))))
    assert [r[0] for r in lines[1:]] == [a["number"]]
    resp = client.get("/orders/?status=open&format=xlsx")
    ws = load_workbook(io.BytesIO(b"".join(resp.streaming_content))).active
    assert ws is not None and ws.max_row == 2  # header + the one open order


@pytest.mark.django_db
def test_order_list_count_stops_at_the_cap(client, api, clerk, outlet, settings) -> None:
    from tests.flows.helpers import receive

    c = api(clerk)
    settings.LIST_COUNT_CAP = 2
    for i in range(3):
        receive(c, source_ref=f"CAP-{i}", customer={"phones": [f"1380013800{i}"]})
    client.force_login(clerk)
    page = client.get("/orders/")
    assert page.context["page"].paginator.capped
    assert len(page.context["rows"]) == 3
    body = c.get("/orders").json()
    assert body["count"] == 2 and body["count_capped"] is True and len(body["results"]) == 3
    settings.LIST_COUNT_CAP = 10
    body = c.get("/orders").json()
    assert body["count"] == 3 and body["count_capped"] is False


def test_export_links_name_one_of_two_lists() -> None:
    from django.template import Context, Template

    req = RequestFactory().get("/expenses/?list=trips&month=2026-11")
    html = Template('{% load export %}{% export_links list="" %}').render(Context({"request": req}))
    assert "list=" not in html and "month=2026-11" in html
    html = Template('{% load export %}{% export_links list="trips" %}').render(
        Context({"request": RequestFactory().get("/expenses/")})
    )
    assert "list=trips&amp;format=csv" in html
