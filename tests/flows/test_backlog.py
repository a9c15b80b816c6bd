"""O-12: the morning backlog (API, page, XLSX, CLI) and the escalation ladder."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from aftersales.orders.backlog import HEADERS
from aftersales.orders.models import Order
from tests.flows.helpers import T0, act, assert_error, events_of, frozen, receive

pytestmark = pytest.mark.django_db

NOW = T0 + timedelta(days=5)


@pytest.fixture
def aged(api, clerk, tech, tech2):
    """Orders received 80 h, 60 h, 50 h and 10 h before NOW; the 60 h one is cancelled."""
    c = api(clerk)
    numbers = {}
    for label, hours in (("a80", 80), ("b60", 60), ("c50", 50), ("d10", 10)):
        with frozen(NOW - timedelta(hours=hours)):
            numbers[label] = receive(c, source_ref=label)["number"]
    with frozen(NOW - timedelta(hours=9)):
        act(c, numbers["a80"], "assign", {"technician": "tech"})
        act(c, numbers["b60"], "cancel", {"reason": "客户取消"})
        act(c, numbers["d10"], "assign", {"technician": "tech2"})
    return numbers


def test_o12_backlog_lists_open_orders_older_than_48h_by_person(api, clerk, aged):
    with frozen(NOW):
        body = api(clerk).get("/backlog", older_than_hours=48).json()
    assert [r["number"] for r in body["results"]] == [aged["a80"], aged["c50"]]
    assert body["count"] == 2 and body["older_than_hours"] == 48
    assert body["by_person"] == {"tech": 1, "clerk": 1}
    a80, c50 = body["results"]
    assert (a80["responsible"], a80["bucket"], a80["age_hours"]) == ("tech", 72, 80.0)
    assert (c50["responsible"], c50["bucket"]) == ("clerk", 48)


def test_o12_backlog_over_72h(api, clerk, aged):
    with frozen(NOW):
        body = api(clerk).get("/backlog", older_than_hours=72).json()
    assert [r["number"] for r in body["results"]] == [aged["a80"]]


@pytest.mark.parametrize("value", ["-1", "9999999", "abc"])
def test_o12_backlog_threshold_out_of_range_is_422(api, clerk, value):
    assert_error(api(clerk).get("/backlog", older_than_hours=value), 422)


def test_o12_backlog_respects_visibility(api, tech2, aged):
    with frozen(NOW):
        body = api(tech2).get("/backlog", older_than_hours=0).json()
    assert [r["number"] for r in body["results"]] == [aged["d10"]]


def test_o12_escalate_twice_then_top_is_refused(api, clerk, manager, aged):
    c = api(clerk)
    n = aged["c50"]
    with frozen(NOW):
        assert_error(c.post(f"/orders/{n}/escalate", {}), 422, "validation")
        assert act(c, n, "escalate", {"reason": "超48小时"})["escalation_level"] == 1
        assert act(c, n, "escalate", {"reason": "仍未解决"})["escalation_level"] == 2
        version = Order.objects.get(number=n).version
        assert_error(
            api(manager).post(f"/orders/{n}/escalate", {"reason": "again"}), 409, "escalation_top"
        )
    assert Order.objects.get(number=n).version == version
    levels = [e.data["level"] for e in events_of(n) if e.action == "escalate"]
    assert levels == ["supervisor", "manager"]
    assert events_of(n)[-1].data["due"].startswith((NOW + timedelta(days=3)).date().isoformat())


def test_o12_escalated_order_overdue_after_three_days(api, clerk, aged):
    c = api(clerk)
    with frozen(NOW):
        act(c, aged["c50"], "escalate", {"reason": "超48小时"})
    with frozen(NOW + timedelta(days=3, minutes=1)):
        rows = {r["number"]: r for r in c.get("/backlog").json()["results"]}
    assert rows[aged["c50"]]["escalation_overdue"] is True
    assert rows[aged["a80"]]["escalation_overdue"] is False


def test_o12_backlog_xlsx_export_page(clerk, aged):
    browser = Client()
    with frozen(NOW):
        browser.force_login(clerk)
        r = browser.get("/orders/backlog.xlsx", {"older_than_hours": "48"})
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in r["Content-Disposition"]
    ws = load_workbook(BytesIO(b"".join(r.streaming_content))).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == HEADERS
    assert [row[0] for row in rows[1:]] == [aged["a80"], aged["c50"]]
    assert rows[1][1] == "tech" and rows[2][1] == "clerk"


def test_o12_backlog_page_renders(clerk, aged):
    browser = Client()
    with frozen(NOW):
        browser.force_login(clerk)
        r = browser.get("/orders/backlog/", {"older_than_hours": "48"})
    html = r.content.decode()
    assert r.status_code == 200
    assert aged["a80"] in html and aged["c50"] in html and aged["d10"] not in html
    assert "backlog.xlsx?older_than_hours=48" in html


def test_o12_backlog_cli_export(tmp_path, aged):
    path = tmp_path / "backlog.xlsx"
    out = StringIO()
    with frozen(NOW):
        call_command("backlog", "--export", str(path), stdout=out)
    assert out.getvalue().startswith("2 orders written")
    rows = list(load_workbook(path).worksheets[0].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [aged["a80"], aged["c50"]]


def test_o12_backlog_cli_text_per_person(aged):
    out = StringIO()
    with frozen(NOW):
        call_command("backlog", "--hours", "48", "--as", "clerk", stdout=out)
    text = out.getvalue()
    assert "Open orders older than 48 h: 2" in text
    assert aged["a80"] in text and aged["d10"] not in text


def test_o12_backlog_csv_export_has_the_same_rows(clerk, aged):
    import csv

    browser = Client()
    with frozen(NOW):
        browser.force_login(clerk)
        r = browser.get("/orders/backlog/", {"older_than_hours": "48", "format": "csv"})
    text = b"".join(r.streaming_content).decode("utf-8").lstrip("\ufeff")
    rows = list(csv.reader(text.splitlines()))
    assert tuple(rows[0]) == HEADERS
    assert [row[0] for row in rows[1:]] == [aged["a80"], aged["c50"]]
