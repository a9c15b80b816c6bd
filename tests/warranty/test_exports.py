"""Issue 7: every warranty list exports to CSV and XLSX through `aftersales.core.export`, with the
page's filters and visibility, the page's columns, and no personal data the page does not show."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from openpyxl import load_workbook

from aftersales.orders.models import Order
from aftersales.warranty.models import (
    Complaint,
    ExpenseClaim,
    PenaltyEntry,
    PenaltyRule,
    ReturnRequest,
    Trip,
)
from tests.flows.helpers import FULL_REPORT, T0, act, frozen, next_hour, receive, window

pytestmark = pytest.mark.django_db
FORMATS = ["csv", "xlsx"]
PHONE, ADDRESS = "13800138000", "香港中路"


def browser(user: Any, language: str = "en") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=language)
    c.force_login(user)
    return c


def table(resp: Any, fmt: str) -> list[list[str]]:
    """The download parsed back: CSV by the csv module, XLSX by openpyxl; cells as text."""
    assert resp.status_code == 200
    body = b"".join(resp.streaming_content)
    if fmt == "csv":
        assert resp["Content-Type"].startswith("text/csv")
        return list(csv.reader(io.StringIO(body.decode("utf-8").lstrip("\ufeff"))))
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(body)).active
    assert ws is not None
    return [["" if v is None else str(v) for v in r] for r in ws.iter_rows(values_only=True)]


def raw(resp: Any) -> bytes:
    return b"".join(resp.streaming_content)


@pytest.fixture
def two_orders(api, clerk, tech) -> tuple[str, str]:
    c = api(clerk)
    with frozen(T0):
        a = receive(c, source_ref="X1", product={"serial": "X1", "purchase_date": "2019-01-01"})
        b = receive(c, source_ref="X2", product={"serial": "X2", "purchase_date": "2019-01-01"})
        act(c, a["number"], "assign", {"technician": "tech"})
    return a["number"], b["number"]


@pytest.fixture
def completed(api, clerk, tech) -> str:
    """One repair completed by `tech` in 2026-12 (quality feedback and the scorecard's jobs)."""
    c, t = api(clerk), api(tech)
    with frozen(T0):
        n = receive(c, source_ref="Q1", product={"serial": "Q1"})["number"]
        act(c, n, "assign", {"technician": "tech"})
        act(t, n, "appointment", {**window(next_hour(T0)), "agreed_by": "customer"})
        act(t, n, "arrive")
        act(t, n, "complete", {**FULL_REPORT, "parts_replaced": [{"name": "电容", "quantity": 1}]})
    return str(n)


# --- Returns -----------------------------------------------------------------------------------


def _return(number: str, user: Any, status: str) -> ReturnRequest:
    return ReturnRequest.objects.create(
        order=Order.objects.get(number=number),
        kind="exchange",
        reason="漏水",
        fault_date=T0.date(),
        eligible=["repair", "exchange"],
        eligibility_reason="ok",
        status=status,
        requested_by=user,
        requested_at=T0,
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_returns_export_with_the_status_filter(fmt, two_orders, tech, supervisor, make_user):
    a, b = two_orders
    _return(a, tech, "requested")
    _return(b, tech, "approved")
    c = browser(supervisor)
    assert "format=xlsx" in c.get("/warranty/returns/").content.decode()
    rows = table(c.get(f"/warranty/returns/?format={fmt}"), fmt)  # default: waiting ones
    assert rows[0] == ["Order", "Asked", "Eligible", "By", "Status"]
    assert rows[1:] == [[a, "Exchange", "repair, exchange", "tech", "Requested"]]
    rows = table(c.get(f"/warranty/returns/?status=approved&format={fmt}"), fmt)
    assert [r[0] for r in rows[1:]] == [b]
    rows = table(c.get(f"/warranty/returns/?status=nonsense&format={fmt}"), fmt)  # as the page
    assert sorted(r[0] for r in rows[1:]) == sorted([a, b])
    # Visibility as on the page: another outlet's clerk sees none of them.
    far = make_user("far", "clerk", outlet=make_outlet())
    assert table(browser(far).get(f"/warranty/returns/?status=all&format={fmt}"), fmt)[1:] == []


def make_outlet() -> Any:
    from aftersales.accounts.models import Outlet

    return Outlet.objects.create(code="jn-03", name="Jinan 3", region="Jinan", market_tier=3)


def test_returns_export_carries_no_contact_data(two_orders, tech, supervisor):
    _return(two_orders[0], tech, "requested")
    body = raw(browser(supervisor).get("/warranty/returns/?format=csv")).decode()
    assert two_orders[0] in body and PHONE not in body and ADDRESS not in body


# --- Complaints --------------------------------------------------------------------------------


def _complaint(number: str | None, person: Any, by: Any, status: str, outlet: Any) -> Complaint:
    return Complaint.objects.create(
        order=Order.objects.get(number=number) if number else None,
        person=person,
        outlet=outlet,
        channel="call",
        category="delay",
        summary="三天没人来",
        status=status,
        at_fault=status == "found",
        received_at=T0,
        received_by=by,
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_complaints_export_with_the_status_filter_and_visibility(
    fmt, two_orders, clerk, tech, tech2, outlet
):
    a, b = two_orders
    mine = _complaint(a, tech, clerk, "found", outlet)
    other = _complaint(b, tech2, clerk, "open", outlet)
    c = browser(clerk)
    assert "format=csv" in c.get("/warranty/complaints/").content.decode()
    rows = table(c.get(f"/warranty/complaints/?format={fmt}"), fmt)
    assert rows[0] == ["#", "Received", "Category", "Order", "Person", "Status", "At fault"]
    assert {r[0] for r in rows[1:]} == {str(mine.pk), str(other.pk)}
    rows = table(c.get(f"/warranty/complaints/?status=found&format={fmt}"), fmt)
    assert [r[:6] for r in rows[1:]] == [
        [str(mine.pk), "2026-12-07 09:00:00", "Delay", a, "tech", "Finding made"]
    ]
    assert rows[1][6] in ("1", "True")  # CSV "1"; XLSX keeps the cell as written
    assert table(c.get(f"/warranty/complaints/?status=bogus&format={fmt}"), fmt)[1:] == []
    # A technician sees the complaints about them only, as on the page.
    rows = table(browser(tech).get(f"/warranty/complaints/?format={fmt}"), fmt)
    assert [r[0] for r in rows[1:]] == [str(mine.pk)]


def test_complaints_export_carries_no_contact_data(two_orders, clerk, tech, outlet):
    _complaint(two_orders[0], tech, clerk, "open", outlet)
    body = raw(browser(clerk).get("/warranty/complaints/?format=csv")).decode()
    assert two_orders[0] in body and PHONE not in body and ADDRESS not in body
    assert "三天没人来" not in body  # the summary is not a column on the list either


# --- Scorecards --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_scorecards_export_the_months_cards(fmt, completed, tech, tech2, supervisor, make_user):
    far = make_user("tech9", "technician", outlet=make_outlet())
    c = browser(supervisor)
    page = c.get("/warranty/scorecards/?month=2026-12")
    assert "format=xlsx" in page.content.decode() and "month=2026-12" in page.content.decode()
    rows = table(c.get(f"/warranty/scorecards/?month=2026-12&format={fmt}"), fmt)
    assert rows[0] == [
        "Technician",
        "Jobs",
        "On time",
        "Within SLA",
        "Complaints",
        "Earnings",
        "Currency",
    ]
    by = {r[0]: r for r in rows[1:]}
    assert set(by) == {str(tech), str(tech2)}  # the other outlet's technician is not shown
    assert str(far) not in by
    assert by[str(tech)][1] == "1" and by[str(tech2)][1] == "0"
    rows = table(c.get(f"/warranty/scorecards/?month=2026-11&format={fmt}"), fmt)
    assert {r[0]: r[1] for r in rows[1:]} == {str(tech): "0", str(tech2): "0"}


def test_scorecards_export_bad_month_is_the_pages_message_not_a_500(supervisor, tech):
    c = browser(supervisor)
    r = c.get("/warranty/scorecards/?month=2026-13&format=csv")
    rows = table(r, "csv")
    assert rows[0][0] == "Technician" and rows[1:] == []  # the page: the message, no cards
    assert [m.level_tag for m in get_messages(r.wsgi_request)] == ["error"], list(
        get_messages(r.wsgi_request)
    )


# --- Penalties ---------------------------------------------------------------------------------


def _entry(person: Any, month: str, kind: str, amount: str, evidence: str) -> PenaltyEntry:
    rule = PenaltyRule.objects.get(code="phone_off")
    return PenaltyEntry.objects.create(
        person=person,
        rule=rule,
        kind=kind,
        amount=Decimal(amount),
        currency="CNY",
        evidence=evidence,
        at=T0,
        month=month,
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_penalties_export_with_the_month_and_visibility(fmt, tech, supervisor, make_user):
    far = make_user("tech9", "technician", outlet=make_outlet())
    _entry(tech, "2026-12", "penalty", "50", "10:00 关机")
    _entry(tech, "2026-11", "reward", "30", "last month")
    _entry(far, "2026-12", "penalty", "70", "elsewhere")
    c = browser(supervisor)
    assert "format=csv" in c.get("/warranty/penalties/?month=2026-12").content.decode()
    rows = table(c.get(f"/warranty/penalties/?month=2026-12&format={fmt}"), fmt)
    assert rows[0] == ["When", "Person", "Rule", "System", "Amount", "Currency", "Evidence"]
    assert len(rows) == 2
    assert rows[1][1] == "tech" and rows[1][5] == "CNY" and rows[1][6] == "10:00 关机"
    assert Decimal(rows[1][4]) == Decimal("-50")  # a penalty is signed as on screen
    # A technician sees their own entries only.
    rows = table(browser(far).get(f"/warranty/penalties/?month=2026-12&format={fmt}"), fmt)
    assert [r[6] for r in rows[1:]] == ["elsewhere"]
    rows = table(c.get(f"/warranty/penalties/?month=garbage&format={fmt}"), fmt)
    assert rows[1:] == []  # as the page: nothing booked under that month


# --- Expenses ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_expenses_export_claims_and_trips_with_visibility(fmt, tech, supervisor, make_user):
    far = make_user("tech9", "technician", outlet=make_outlet())
    for who, amount in ((tech, "25.00"), (far, "99.00")):
        trip = Trip.objects.create(
            person=who, day=T0.date(), origin="A", destination=f"B-{who}", km=12, created_at=T0
        )
        ExpenseClaim.objects.create(
            person=who, trip=trip, kind="meals", amount=amount, currency="CNY", created_at=T0
        )
    c = browser(supervisor)
    html = c.get("/warranty/expenses/").content.decode()
    assert "?format=csv" in html and "list=trips&amp;format=csv" in html
    rows = table(c.get(f"/warranty/expenses/?format={fmt}"), fmt)
    assert rows[0] == ["Person", "Kind", "Amount", "Currency", "Status", "Reason", "Receipt"]
    assert [(r[0], r[1], Decimal(r[2])) for r in rows[1:]] == [("tech", "Meals", Decimal(25))]
    rows = table(c.get(f"/warranty/expenses/?list=trips&format={fmt}"), fmt)
    assert rows[0] == ["Day", "Person", "From", "To", "Order", "km", "Hours"]
    assert [(r[1], r[3]) for r in rows[1:]] == [("tech", "B-tech")]
    rows = table(browser(far).get(f"/warranty/expenses/?list=trips&format={fmt}"), fmt)
    assert [r[3] for r in rows[1:]] == ["B-tech9"]


# --- Quality -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_w5_quality_export_through_the_one_writer(fmt, completed, clerk):
    c = browser(clerk)
    html = c.get("/warranty/quality/?month=2026-12").content.decode()
    assert "month=2026-12&amp;format=xlsx" in html
    resp = c.get(f"/warranty/quality/?month=2026-12&format={fmt}")
    assert resp.streaming or fmt == "xlsx"
    assert "quality-2026-12" in resp["Content-Disposition"]
    rows = table(resp, fmt)
    assert rows[0] == ["Month", "Category", "Model", "Part", "Fault code", "Cause", "Count"]
    assert rows[1:] == [["2026-12", "air_conditioner", "KFR-35", "电容", "E1", "缺氟", "1"]]
    assert table(c.get(f"/warranty/quality/?month=2026-11&format={fmt}"), fmt)[1:] == []


def test_w5_quality_export_bad_month_falls_back_like_the_page(clerk):
    r = browser(clerk).get("/warranty/quality/?month=bad&format=csv")
    assert table(r, "csv")[0][0] == "Month"


def test_headers_in_the_users_language(clerk):
    from django.utils import translation

    with translation.override("zh-hans"):
        want = [translation.gettext(h) for h in ("Month", "Category", "Count")]
    assert want[0] != "Month"  # the catalogue has it
    for fmt in FORMATS:
        rows = table(browser(clerk, "zh-hans").get(f"/warranty/quality/?format={fmt}"), fmt)
        assert [rows[0][0], rows[0][1], rows[0][6]] == want


def test_list_exports_queries_do_not_grow_with_rows(two_orders, clerk, tech, supervisor, outlet):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    urls = [
        "/warranty/returns/?status=all&format=csv",
        "/warranty/complaints/?format=csv",
        "/warranty/penalties/?month=2026-12&format=csv",
        "/warranty/expenses/?format=csv",
        "/warranty/expenses/?list=trips&format=csv",
    ]
    c = browser(supervisor)

    def queries() -> dict[str, int]:
        out = {}
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                raw(c.get(url))
            out[url] = len(ctx.captured_queries)
        return out

    def add(i: int) -> None:
        _return(two_orders[i % 2], tech, "requested")
        _complaint(two_orders[i % 2], tech, clerk, "open", outlet)
        _entry(tech, "2026-12", "penalty", "5", f"e{i}")
        trip = Trip.objects.create(
            person=tech, day=T0.date(), origin="A", destination="B", km=1, created_at=T0
        )
        ExpenseClaim.objects.create(
            person=tech, trip=trip, kind="meals", amount="1", currency="CNY", created_at=T0
        )

    add(0)
    one = queries()
    for i in range(1, 6):
        add(i)
    assert queries() == one


@pytest.mark.parametrize("fmt", FORMATS)
def test_card_page_exports_that_persons_entries_of_the_month(fmt, tech, supervisor, make_user):
    far = make_user("tech9", "technician", outlet=make_outlet())
    _entry(tech, "2026-12", "penalty", "50", "10:00 关机")
    _entry(tech, "2026-11", "reward", "30", "last month")
    _entry(far, "2026-12", "penalty", "70", "elsewhere")
    c = browser(supervisor)
    with frozen(T0):
        assert "format=csv" in c.get("/warranty/scorecards/tech/?month=2026-12").content.decode()
        rows = table(c.get(f"/warranty/scorecards/tech/?month=2026-12&format={fmt}"), fmt)
    assert rows[0] == ["When", "Person", "Rule", "System", "Amount", "Currency", "Evidence"]
    assert [r[6] for r in rows[1:]] == ["10:00 关机"]
    # Another technician's card stays out of reach, as the page.
    with frozen(T0):
        assert browser(far).get(f"/warranty/scorecards/tech/?format={fmt}").status_code == 404
