"""K-2 figures on hand-computed data: each indicator's formula, the no-data case, editable
targets and their colours, filters, drill-down = the orders counted, and agreement with the
technician scorecard's pure rule (O-15)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from aftersales.kpis import indicators
from aftersales.kpis.models import KpiTarget
from aftersales.orders.models import Order, OrderPart
from tests.flows.helpers import T0, frozen
from tests.kpis.conftest import MONTH, READ_AT, read

pytestmark = pytest.mark.django_db

H, DAY = timedelta(hours=1), timedelta(days=1)


@pytest.fixture
def data(build, tech):
    """Five orders received in December 2026 (see each line for what it contributes)."""
    o1 = build(  # everything in time, closed within SLA, customer satisfied
        status="closed",
        assignee=tech,
        assigned_at=T0 + 10 * timedelta(minutes=1),
        first_contact_at=T0 + H,
        appointment_start=T0 + DAY,
        appointment_end=T0 + DAY + 2 * H,
        arrived_at=T0 + DAY + 30 * timedelta(minutes=1),
        completed_at=T0 + DAY + H,
        revisited_at=T0 + DAY + 2 * H,
        revisit_satisfied=True,
        closed_at=T0 + 2 * DAY,
        within_sla=True,
        assessed_hours=Decimal("20.00"),
    )
    o2 = build(  # everything late, a repeat repair, parts late, not satisfied, 2 repeat calls
        status="closed",
        assignee=tech,
        assigned_at=T0 + 2 * H,
        first_contact_at=T0 + 5 * H,
        appointment_start=T0 + DAY,
        appointment_end=T0 + DAY + 2 * H,
        arrived_at=T0 + DAY + 3 * H,
        parts_requested_at=T0 + DAY + 3 * H,
        completed_at=T0 + 4 * DAY,
        revisited_at=T0 + 4 * DAY + H,
        revisit_satisfied=False,
        closed_at=T0 + 5 * DAY,
        within_sla=False,
        assessed_hours=Decimal("100.00"),
        repeat_of=o1,
        multiple_contacts=2,
    )
    OrderPart.objects.create(
        order=o2, part="电容", shipped_by="outlet", requested_at=T0 + DAY, requested_late=True
    )
    o3 = build(multiple_contacts=1)  # open since T0: backlog over 2 and 3 days
    o4 = build(at=12 * DAY)  # received a day before reading: no backlog
    o5 = build(  # completed in time, not yet revisited or closed: still open (backlog)
        status="completed",
        assignee=tech,
        assigned_at=T0 + 5 * timedelta(minutes=1),
        first_contact_at=T0 + H,
        appointment_start=T0 + 3 * H,
        appointment_end=T0 + 5 * H,
        arrived_at=T0 + 4 * H,
        completed_at=T0 + 5 * H,
    )
    return {"o1": o1, "o2": o2, "o3": o3, "o4": o4, "o5": o5}


EXPECTED = {
    # id: (value, numerator, denominator)
    "orders_received": ("5", None, "5"),
    "orders_per_day": ("0.3", None, "5"),  # 5 orders / 20 days of December so far
    "multiple_contacts": ("40.0", "2", "5"),  # o2, o3
    "sla_compliance": ("50.0", "1", "2"),  # closed: o1 in, o2 out
    "assessed_hours": ("60.00", None, "2"),  # (20 + 100) / 2
    "timely_accept": ("66.7", "2", "3"),  # completed o1, o2, o5; o2 assigned after 2 h
    "timely_contact": ("66.7", "2", "3"),  # o2 contacted 3 h after assignment
    "timely_arrive": ("66.7", "2", "3"),  # o2 arrived after the window's end
    "timely_parts": ("0.0", "0", "1"),  # o2 asked after the cut-off
    "timely_leftovers": ("66.7", "2", "3"),  # o2 completed after 72 h
    "timely_close": ("50.0", "1", "2"),  # completed and closed: o1 in SLA, o2 not
    "repeat_repair": ("33.3", "1", "3"),  # o2 repeats o1
    "csi": ("50.0", "1", "2"),  # revisits o1 satisfied, o2 not
    "first_time_fix": ("66.7", "2", "3"),  # o2 needed parts
    "backlog_2d": ("2", None, "2"),  # O-12: o3 and o5 open for 13 days; o4 one day
    "backlog_3d": ("2", None, "2"),
}


@pytest.mark.parametrize("kpi", sorted(EXPECTED))
def test_k2_each_figure_on_hand_computed_data(api, supervisor, data, kpi):
    f = read(api(supervisor))[kpi]
    assert (f["value"], f["numerator"], f["denominator"]) == EXPECTED[kpi]
    assert f["no_data"] is False
    assert f["definition"] and f["rule"] == indicators.DEFS[kpi].rule


def test_o9_o10_r2_r3_o11_o15_rule_ids_and_targets_in_api(api, supervisor, data):
    f = read(api(supervisor))
    assert f["repeat_repair"]["target"] == {"value": "2.00", "comparison": "<", "amber": "1.00"}
    assert f["csi"]["target"]["value"] == "93.00" and f["csi"]["band"] == "red"
    assert f["sla_compliance"]["rule"] == "O-9/O-10"
    assert {k for k in f if k.startswith("timely_")} == {
        "timely_accept",
        "timely_contact",
        "timely_arrive",
        "timely_parts",
        "timely_leftovers",
        "timely_close",
    }
    assert f["orders_received"]["target"] is None and f["orders_received"]["band"] == "none"


def test_k2_targets_are_editable_and_colour_the_figure(api, supervisor, data):
    """Edited as the admin does (a save); the cached figures follow at once."""
    assert read(api(supervisor))["sla_compliance"]["band"] == "red"  # 50 vs ≥ 95
    t = KpiTarget.objects.get(kpi="sla_compliance")
    for value, amber, band in (("50", "0", "green"), ("52", "3", "amber"), ("60", "3", "red")):
        t.value, t.amber = Decimal(value), Decimal(amber)
        t.save()
        assert read(api(supervisor))["sla_compliance"]["band"] == band


def test_k2_no_data_says_so_never_zero(api, supervisor, data):
    with frozen(READ_AT):
        r = api(supervisor).get("/kpis", month="2026-11")
    f = {x["id"]: x for x in r.json()["figures"]}
    for kpi in ("sla_compliance", "csi", "repeat_repair", "timely_parts", "assessed_hours",
                "first_time_fix", "oow_parts_ratio", "revenue_parts", "value_per_order",
                "warranty_claims", "revenue_insurance"):  # fmt: skip
        assert f[kpi]["value"] is None and f[kpi]["no_data"] is True, kpi
        assert f[kpi]["band"] == "no_data"
    assert f["orders_received"]["value"] == "0"
    assert f["orders_per_day"]["value"] == "0.0"


def test_k2_technician_and_category_filters(api, supervisor, data, tech):
    f = read(api(supervisor), technician="tech")
    assert f["orders_received"]["value"] == "3"
    assert read(api(supervisor), category="television")["orders_received"]["value"] == "0"
    assert read(api(supervisor), region="Qingdao")["orders_received"]["value"] == "5"
    f = read(api(supervisor), outlet="qd-01")
    assert f["csi"]["value"] == "50.0"


def test_k2_period_range_filter(api, supervisor, data):
    with frozen(READ_AT):
        r = api(supervisor).get("/kpis", **{"from": "2026-12-18", "to": "2026-12-20"})
    f = {x["id"]: x for x in r.json()["figures"]}
    assert f["orders_received"]["value"] == "1"  # o4 only
    assert r.json()["filters"]["period"] == {
        "label": "2026-12-18…2026-12-20",
        "start": "2026-12-18",
        "end": "2026-12-21",
    }


@pytest.mark.parametrize("kpi", sorted(k for k, v in EXPECTED.items() if v[1] is not None))
def test_k2_drill_down_returns_exactly_the_orders_counted(api, supervisor, data, kpi):
    c = api(supervisor)
    f = read(c)[kpi]
    with frozen(READ_AT):
        every = c.get("/kpis/orders", month=MONTH, kpi=kpi).json()
        hit = c.get("/kpis/orders", month=MONTH, kpi=kpi, part="hit").json()
        miss = c.get("/kpis/orders", month=MONTH, kpi=kpi, part="miss").json()
    assert every["count"] == int(f["denominator"])
    assert hit["count"] == int(f["numerator"])
    assert {r["number"] for r in hit["results"]} | {r["number"] for r in miss["results"]} == {
        r["number"] for r in every["results"]
    }
    assert not {r["number"] for r in hit["results"]} & {r["number"] for r in miss["results"]}


def test_o12_drill_down_of_backlog_lists_the_old_open_orders(api, supervisor, data):
    with frozen(READ_AT):
        r = api(supervisor).get("/kpis/orders", month=MONTH, kpi="backlog_2d").json()
    assert {x["number"] for x in r["results"]} == {data["o3"].number, data["o5"].number}


def test_k2_breakdown_per_outlet_and_technician(api, supervisor, data):
    with frozen(READ_AT):
        body = api(supervisor).get("/kpis", month=MONTH, breakdown="1").json()
    assert [o["outlet"] for o in body["by_outlet"]] == ["qd-01"]
    techs = {t["technician"]: t["figures"] for t in body["by_technician"]}
    assert techs["tech"]["repeat_repair"]["value"] == "33.3"
    days = {d["day"]: d for d in body["trend"]}
    assert days["2026-12-07"]["received"] == 4 and days["2026-12-19"]["received"] == 1
    assert days["2026-12-09"]["sla"] == "100.0" and days["2026-12-12"]["sla"] == "0.0"


def test_o15_network_timely_rates_agree_with_the_scorecard_rule(api, clerk, tech, supervisor):
    """The aggregate SQL for one technician equals the pure `scorecard()` over their jobs."""
    from aftersales.domain.warranty_scores import scorecard
    from aftersales.warranty import people
    from aftersales.warranty.selectors import policy
    from tests.warranty import test_scorecards as ws

    ws._job(api, clerk, tech, ref="A")
    ws._job(api, clerk, tech, ref="B", late=True)
    start, end = people._bounds("2026-12")
    card = scorecard(
        people._jobs([tech.pk], start, end)[tech.pk], targets=policy().targets(), tiers=[]
    )
    f = read(api(supervisor), technician="tech")
    for k, v in card.timely.items():
        assert f[f"timely_{k}"]["value"] == (None if v is None else str(v)), k
    assert f["repeat_repair"]["value"] == str(card.repeat_rate)
    assert f["csi"]["value"] == str(card.satisfaction)
    assert f["timely_arrive"]["value"] == "50.0"


def test_r2_repeat_repair_counted_from_the_order_rule(api, clerk, tech, supervisor):
    """Two repairs of the same fault on one product within the policy's days: the order rule
    (R-2, at completion) marks the second a repeat, and the rate counts it."""
    from tests.flows.helpers import FULL_REPORT, act, receive, window
    from tests.warranty import test_scorecards as ws

    first = ws._job(api, clerk, tech, ref="A")
    c, t = api(clerk), api(tech)
    w = T0 + 2 * DAY + H
    with frozen(T0 + 2 * DAY):
        n = receive(c, source_ref="A2", product={"serial": "A"})["number"]
        act(c, n, "assign", {"technician": "tech"})
        act(t, n, "appointment", {**window(w), "agreed_by": "customer"})
    with frozen(w + 10 * timedelta(minutes=1)):
        act(t, n, "arrive")
        act(t, n, "complete", FULL_REPORT)
    assert Order.objects.get(number=n).repeat_of == Order.objects.get(number=first)
    f = read(api(supervisor))
    assert (f["repeat_repair"]["value"], f["repeat_repair"]["numerator"]) == ("50.0", "1")
    assert f["repeat_repair"]["band"] == "red"
