"""O-5 lifecycle and O-4 reassignment through POST /api/v1/orders/{number}/{action}."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction

from aftersales.orders.models import ACTION_LABELS, STATUS_LABELS, Order, OrderEvent
from tests.flows.helpers import (
    T0,
    act,
    assert_error,
    counts,
    drive,
    events_of,
    frozen,
    next_hour,
    receive,
    window,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "action, body",
    [
        ("complete", {"fault_code": "E1"}),
        ("arrive", {}),
        ("start-travel", {}),
        ("revisit", {"satisfied": True}),
        ("close", {}),
        ("appointment", None),
    ],
)
def test_o5_illegal_transition_names_state_and_allowed_actions(api, make_user, action, body):
    # A clerk who also dispatches may take every one of these actions: only the state refuses.
    c = api(make_user("cd", "clerk", "dispatcher"))
    with frozen(T0):
        n = receive(c)["number"]
        if body is None:
            body = {**window(next_hour(T0)), "agreed_by": "customer"}
        before = counts()
        r = c.post(f"/orders/{n}/{action}", body)
    err = assert_error(r, 409, "illegal_transition")
    assert err["fields"]["status"] == "received"
    for allowed in ("assign", "cancel", "call", "escalate", "note"):
        assert allowed in err["fields"]["allowed"], err
    # The message names the state and the way forward in the reader's language.
    assert str(STATUS_LABELS["received"]) in err["message"]
    assert str(ACTION_LABELS["assign"]) in err["message"]
    order = Order.objects.get(number=n)
    assert (order.status, order.version) == ("received", 1)
    assert counts() == before


def test_o5_illegal_transition_after_close_and_cancel(api, clerk, tech):
    c, t = api(clerk), api(tech)
    with frozen(T0):
        n = receive(c, source_ref="A")["number"]
        drive(c, t, n, "revisited", now=T0)
        act(c, n, "close")
        err = assert_error(
            c.post(f"/orders/{n}/assign", {"technician": "tech"}), 409, "illegal_transition"
        )
        assert err["fields"] == {"status": "closed", "allowed": "note"}
        m = receive(c, source_ref="B")["number"]
        act(c, m, "cancel", {"reason": "客户已自行修好"})
        assert_error(c.post(f"/orders/{m}/cancel", {"reason": "again"}), 409, "illegal_transition")
        # A note is still possible on a finished order, and changes no status.
        assert act(c, m, "note", {"note": "客户来电致谢"})["status"] == "cancelled"


def test_o5_every_change_is_one_event_with_actor_from_and_to(api, clerk, tech):
    c, t = api(clerk), api(tech)
    with frozen(T0):
        n = receive(c)["number"]
        steps = [
            (c, clerk, "assign", {"technician": "tech"}, "received", "assigned"),
            (
                t,
                tech,
                "appointment",
                {**window(next_hour(T0)), "agreed_by": "family"},
                "assigned",
                "contacted",
            ),
            (t, tech, "start-travel", {"note": "出发"}, "contacted", "on_the_way"),
            (t, tech, "arrive", {}, "on_the_way", "on_site"),
            (t, tech, "complete", {"fault_code": "E1"}, "on_site", "completed"),
            (c, clerk, "revisit", {"satisfied": True, "score": 4}, "completed", "revisited"),
            (c, clerk, "call", {"note": "客户问进度"}, "revisited", "revisited"),
            (c, clerk, "close", {}, "revisited", "closed"),
        ]
        version = 1
        for client, user, action, body, src, dst in steps:
            before = OrderEvent.objects.count()
            out = act(client, n, action, body)
            assert out["status"] == dst and out["version"] == version + 1
            version += 1
            assert OrderEvent.objects.count() == before + 1
            ev = events_of(n)[-1]
            assert (ev.action, ev.actor, ev.from_status, ev.to_status) == (action, user, src, dst)
            assert ev.at == T0
    timeline = c.get(f"/orders/{n}/events").json()
    assert [e["actor"] for e in timeline] == [
        "clerk",
        "clerk",
        "tech",
        "tech",
        "tech",
        "tech",
        "clerk",
        "clerk",
        "clerk",
    ]
    assert timeline[2]["data"]["agreed_by"] == "family"
    assert timeline[3]["reason"] == "出发"


def test_o5_events_are_append_only(api, clerk):
    with frozen(T0):
        n = receive(api(clerk))["number"]
    with pytest.raises(DatabaseError), transaction.atomic():
        OrderEvent.objects.filter(order__number=n).update(reason="rewritten")
    assert OrderEvent.objects.get(order__number=n).reason == ""


def test_o5_unknown_action_is_404_and_unknown_order_is_404(api, clerk):
    c = api(clerk)
    with frozen(T0):
        n = receive(c)["number"]
        assert_error(c.post(f"/orders/{n}/teleport"), 404, "unknown_action")
        assert_error(c.post("/orders/SO99999999/assign", {"technician": "tech"}), 404, "not_found")
        assert_error(c.get("/orders/SO99999999"), 404, "not_found")
    assert Order.objects.get(number=n).version == 1


def test_o5_cancel_needs_a_reason(api, clerk):
    c = api(clerk)
    with frozen(T0):
        n = receive(c)["number"]
        err = assert_error(c.post(f"/orders/{n}/cancel", {}), 422, "validation")
        assert "reason" in err["fields"]
        out = act(c, n, "cancel", {"reason": "重复报单"})
    assert out["status"] == "cancelled" and out["allowed_actions"] == ["note"]
    assert events_of(n)[-1].reason == "重复报单"


@pytest.mark.parametrize(
    "body, code, field",
    [
        ({"technician": "nobody"}, "unknown_technician", "technician"),
        ({"technician": "clerk"}, "unknown_technician", "technician"),
        ({}, "validation", "technician"),
        ({"technician": "tech", "extra": 1}, "validation", "extra"),
    ],
)
def test_o5_assign_refuses_bad_input(api, clerk, tech, body, code, field):
    c = api(clerk)
    with frozen(T0):
        n = receive(c)["number"]
        err = assert_error(c.post(f"/orders/{n}/assign", body), 422, code)
    assert field in err["fields"]
    assert Order.objects.get(number=n).version == 1


def test_o5_assign_to_technician_of_another_outlet_is_refused(
    api, clerk, tech, make_user, other_outlet
):
    make_user("far", "technician", outlet=other_outlet)
    c = api(clerk)
    with frozen(T0):
        n = receive(c)["number"]
        assert_error(
            c.post(f"/orders/{n}/assign", {"technician": "far"}), 422, "technician_other_outlet"
        )
        act(c, n, "assign", {"technician": "tech"})
        assert_error(
            c.post(f"/orders/{n}/assign", {"technician": "tech", "reason": "x"}),
            409,
            "already_assigned",
        )


def test_o4_reassignment_requires_a_reason(api, clerk, tech, tech2):
    c = api(clerk)
    with frozen(T0):
        n = receive(c)["number"]
        act(c, n, "assign", {"technician": "tech"})
        before = counts()
        err = assert_error(
            c.post(f"/orders/{n}/assign", {"technician": "tech2"}), 422, "reason_required"
        )
        assert "reason" in err["fields"]
        assert counts() == before
        out = act(c, n, "assign", {"technician": "tech2", "reason": "地址错误，改派"})
    assert out["assignee"] == "tech2" and out["reassigned_flag"] is True
    ev = events_of(n)[-1]
    assert ev.reason == "地址错误，改派" and ev.data == {"technician": "tech2", "reassign": True}


def test_o4_reassigned_flag_holds_until_first_contact(api, clerk, tech, tech2):
    c, t2 = api(clerk), api(tech2)
    with frozen(T0):
        n = receive(c)["number"]
        drive(c, api(tech), n, "contacted", now=T0)
        out = act(c, n, "assign", {"technician": "tech2", "reason": "网点错误"})
        # The old window no longer holds after a reassignment.
        assert out["reassigned_flag"] is True and out["appointment_start"] is None
        # An unreachable attempt is not a contact.
        out = act(
            t2,
            n,
            "result",
            {"kind": "unreachable", "phones": [{"phone": "13800138000", "outcome": "no_answer"}]},
        )
        assert out["reassigned_flag"] is True
        out = act(t2, n, "appointment", {**window(next_hour(T0)), "agreed_by": "customer"})
    assert out["reassigned_flag"] is False and out["status"] == "contacted"


@pytest.mark.parametrize(
    "remarks, flagged",
    [
        ("用户地址有误，已改派至本网点", True),
        ("Order reassigned from Jinan", True),
        ("재배정된 주문", True),
        ("请尽快上门", False),
    ],
)
def test_o4_remarks_mentioning_reassignment_flag_the_order_at_intake(
    api, clerk, tech, remarks, flagged
):
    c = api(clerk)
    with frozen(T0):
        o = receive(c, remarks=remarks)
        assert o["reassigned_flag"] is flagged
        if flagged:
            act(c, o["number"], "assign", {"technician": "tech"})
            out = act(
                api(tech),
                o["number"],
                "result",
                {"kind": "waiting_parts", "part": "压缩机", "shipped_by": "manufacturer"},
            )
            assert out["reassigned_flag"] is False


def test_o5_action_body_must_be_a_json_object(api, clerk):
    c = api(clerk)
    with frozen(T0):
        n = receive(c)["number"]
        assert_error(c.post(f"/orders/{n}/cancel", "[1]"), 400)
        assert_error(c.post(f"/orders/{n}/cancel", "{oops"), 400, "bad_json")
        assert_error(
            c.post(f"/orders/{n}/cancel", {"reason": "x", "version": "abc"}), 422, "validation"
        )
    assert Order.objects.get(number=n).version == 1
