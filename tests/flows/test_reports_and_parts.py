"""R-1 service report, R-2 repeat repair, R-3 revisit and O-13 late part requests."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftersales.orders.models import Order, OrderPart
from tests.conftest import local
from tests.flows.helpers import T0, act, assert_error, drive, events_of, frozen, receive

pytestmark = pytest.mark.django_db


def test_r1_incomplete_report_is_flagged(api, clerk, tech):
    c, t = api(clerk), api(tech)
    with frozen(T0):
        n = receive(c)["number"]
        out = drive(
            c, t, n, "completed", now=T0, report={"fault_code": "E1", "solution": "更换电容"}
        )
    assert out["report_complete"] is False
    assert out["report_missing"] == [
        "fault_cause",
        "customer_opinion",
        "test_run_done",
        "customer_signature",
    ]
    assert events_of(n)[-1].data["report_missing"] == out["report_missing"]


def test_r1_complete_report_with_rating_instead_of_signature(api, clerk, tech):
    c, t = api(clerk), api(tech)
    report = {
        "fault_code": "E1",
        "fault_cause": "电容坏",
        "solution": "更换电容",
        "customer_opinion": "满意",
        "test_run_done": True,
        "customer_rating": 5,
        "parts_replaced": [{"name": "电容", "quantity": 1}],
    }
    with frozen(T0):
        n = receive(c)["number"]
        out = drive(c, t, n, "completed", now=T0, report=report)
    assert out["report_complete"] is True and out["report_missing"] == []
    assert Order.objects.get(number=n).report["parts_replaced"] == [{"name": "电容", "quantity": 1}]


@pytest.mark.parametrize(
    "report, field",
    [
        ({"parts_replaced": [{"name": "电容", "quantity": 0}]}, "parts_replaced.0.quantity"),
        ({"customer_rating": 9}, "customer_rating"),
        ({"surprise": True}, "surprise"),
    ],
)
def test_r1_malformed_report_is_422(api, clerk, tech, report, field):
    c, t = api(clerk), api(tech)
    with frozen(T0):
        n = receive(c)["number"]
        drive(c, t, n, "on_site", now=T0)
        err = assert_error(t.post(f"/orders/{n}/complete", report), 422, "validation")
    assert field in err["fields"]
    assert Order.objects.get(number=n).status == "on_site"


def _repair(api, clerk, tech, at, ref, serial, fault_code):
    c, t = api(clerk), api(tech)
    with frozen(at):
        n = receive(c, source_ref=ref, product={"serial": serial})["number"]
        return drive(c, t, n, "completed", now=at, report={"fault_code": fault_code})


def test_r2_repeat_repair_flagged_within_30_days(api, clerk, tech):
    first = _repair(api, clerk, tech, T0, "R-1", "SN-R", "E1")
    again = _repair(api, clerk, tech, T0 + timedelta(days=29), "R-2", "SN-R", "E1")
    assert first["repeat_of"] is None
    assert again["repeat_of"] == first["number"]
    assert Order.objects.get(number=again["number"]).repeat_of.number == first["number"]


def test_r2_same_fault_after_31_days_is_not_a_repeat(api, clerk, tech):
    _repair(api, clerk, tech, T0, "R-1", "SN-R", "E1")
    later = _repair(api, clerk, tech, T0 + timedelta(days=31), "R-2", "SN-R", "E1")
    assert later["repeat_of"] is None


def test_r2_other_fault_or_other_product_is_not_a_repeat(api, clerk, tech):
    _repair(api, clerk, tech, T0, "R-1", "SN-R", "E1")
    other_fault = _repair(api, clerk, tech, T0 + timedelta(days=3), "R-2", "SN-R", "E2")
    other_unit = _repair(api, clerk, tech, T0 + timedelta(days=4), "R-3", "SN-S", "E1")
    assert other_fault["repeat_of"] is None and other_unit["repeat_of"] is None


def test_r3_revisit_records_satisfaction_score_and_reasons(api, clerk, tech):
    c, t = api(clerk), api(tech)
    with frozen(T0):
        n = receive(c)["number"]
        drive(c, t, n, "completed", now=T0)
        assert_error(c.post(f"/orders/{n}/revisit", {"satisfied": True, "score": 6}), 422)
        assert_error(t.post(f"/orders/{n}/revisit", {"satisfied": True}), 403, "forbidden")
        out = act(c, n, "revisit", {"satisfied": True, "score": 4, "reasons": "师傅准时"})
    assert out["status"] == "revisited"
    order = Order.objects.get(number=n)
    assert order.revisit_satisfied is True and order.revisited_at == T0
    ev = events_of(n)[-1]
    assert ev.data == {"satisfied": True, "score": 4, "reasons": "师傅准时"}


def _on_site_at(api, clerk, tech, at):
    c, t = api(clerk), api(tech)
    with frozen(at):
        n = receive(c)["number"]
        act(c, n, "assign", {"technician": "tech"})
        act(
            t,
            n,
            "appointment",
            {
                "start": (at + timedelta(minutes=30)).isoformat(),
                "end": (at + timedelta(minutes=90)).isoformat(),
            },
        )
        act(t, n, "arrive")
    return n


@pytest.mark.parametrize("hour, minute, late", [(16, 59, False), (17, 1, True), (21, 30, True)])
def test_o13_part_request_after_17h_is_flagged_late(api, clerk, tech, hour, minute, late):
    at = local(2026, 12, 7, hour, minute)
    n = _on_site_at(api, clerk, tech, local(2026, 12, 7, 14, 0))
    with frozen(at):
        act(api(tech), n, "part-request", {"part": "电机", "quantity": 2})
    part = OrderPart.objects.get(order__number=n)
    assert part.requested_late is late and part.quantity == 2
    assert part.shipped_by == "manufacturer" and part.requested_at == at
    assert events_of(n)[-1].data["late"] is late
    assert Order.objects.get(number=n).parts_requested_at == at


def test_o13_part_request_at_17h_sharp_is_late(api, clerk, tech):
    n = _on_site_at(api, clerk, tech, local(2026, 12, 7, 14, 0))
    with frozen(local(2026, 12, 7, 17, 0)):
        act(api(tech), n, "part-request", {"part": "电机"})
    assert OrderPart.objects.get(order__number=n).requested_late is True


def test_o13_part_request_refused_on_unassigned_order_and_bad_quantity(api, clerk, tech):
    c = api(clerk)
    with frozen(T0):
        n = receive(c)["number"]
        assert_error(
            c.post(f"/orders/{n}/part-request", {"part": "电机"}), 409, "illegal_transition"
        )
        act(c, n, "assign", {"technician": "tech"})
        assert_error(c.post(f"/orders/{n}/part-request", {"part": "电机", "quantity": 0}), 422)
        assert_error(c.post(f"/orders/{n}/part-request", {"part": ""}), 422)
    assert OrderPart.objects.count() == 0
