"""The whole life of one order through the API (O-1 … O-8, R-1, R-3)."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from tests.conftest import local


def test_o5_order_lives_from_receipt_to_close(api, clerk, tech, outlet):
    c, t = api(clerk), api(tech)
    with time_machine.travel(local(2026, 11, 23, 9, 0), tick=False):
        r = c.post(
            "/orders",
            {
                "customer": {
                    "name": "王芳",
                    "phones": ["138 0013 8000"],
                    "address": "青岛市市南区香港中路 8 号",
                    "region": "Qingdao",
                },
                "product": {
                    "category": "air_conditioner",
                    "brand": "Haier",
                    "model": "KFR-35",
                    "serial": "SN1",
                },
                "service_type": "repair",
                "service_mode": "on_site",
                "fault": "不制冷",
                "source": "call_centre",
                "source_ref": "HP-1",
            },
        )
        assert r.status_code == 201, r.content
        order = r.json()
        n = order["number"]
        assert order["status"] == "received" and order["sla_hours"] == 48
        assert c.post(f"/orders/{n}/assign", {"technician": "tech"}).json()["status"] == "assigned"
        start = local(2026, 11, 24, 10, 0)
        r = t.post(
            f"/orders/{n}/appointment",
            {
                "start": start.isoformat(),
                "end": (start + timedelta(hours=2)).isoformat(),
                "agreed_by": "customer",
            },
        )
        assert r.json()["status"] == "contacted", r.content
    with time_machine.travel(local(2026, 11, 24, 9, 30), tick=False):
        assert t.post(f"/orders/{n}/start-travel").json()["status"] == "on_the_way"
        assert t.post(f"/orders/{n}/arrive").json()["status"] == "on_site"
        r = t.post(
            f"/orders/{n}/complete",
            {
                "fault_code": "E1",
                "fault_cause": "缺氟",
                "solution": "补氟",
                "customer_opinion": "满意",
                "test_run_done": True,
                "customer_signature": "王芳",
            },
        )
        assert r.json()["status"] == "completed" and r.json()["report_complete"] is True
        r = c.post(f"/orders/{n}/close")
        assert r.status_code == 409 and r.json()["error"]["code"] == "illegal_transition"
        assert (
            c.post(f"/orders/{n}/revisit", {"satisfied": True, "score": 5}).json()["status"]
            == "revisited"
        )
        r = c.post(f"/orders/{n}/close")
        assert r.status_code == 200, r.content
        body = r.json()
        assert body["status"] == "closed" and body["within_sla"] is True
    events = c.get(f"/orders/{n}/events").json()
    assert [e["action"] for e in events] == [
        "receive",
        "assign",
        "appointment",
        "start-travel",
        "arrive",
        "complete",
        "revisit",
        "close",
    ]
