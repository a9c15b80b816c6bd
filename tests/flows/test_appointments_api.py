"""O-6: an appointment is a concrete window; a reschedule records who asked and why."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftersales.orders.models import Order
from tests.conftest import local
from tests.flows.helpers import T0, act, assert_error, counts, events_of, frozen, receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned(api, clerk, tech):
    c = api(clerk)
    with frozen(T0):
        n = receive(c)["number"]
        act(c, n, "assign", {"technician": "tech"})
    return n


def _refused(t, n, body, code):
    with frozen(T0):
        before = counts()
        err = assert_error(t.post(f"/orders/{n}/appointment", body), 422, code)
    assert counts() == before
    order = Order.objects.get(number=n)
    assert order.status == "assigned" and order.appointment_start is None
    return err


def test_o6_reversed_window_refused(api, tech, assigned):
    s = local(2026, 12, 8, 12, 0)
    err = _refused(
        api(tech),
        assigned,
        {"start": s.isoformat(), "end": (s - timedelta(hours=2)).isoformat()},
        "window_reversed",
    )
    assert "end" in err["fields"]


def test_o6_window_in_the_past_refused(api, tech, assigned):
    s = T0 - timedelta(hours=1)
    err = _refused(
        api(tech),
        assigned,
        {"start": s.isoformat(), "end": (s + timedelta(hours=2)).isoformat()},
        "window_in_past",
    )
    assert "start" in err["fields"]


@pytest.mark.parametrize("start_h, end_h", [(8, 12), (13, 18), (0, 23)])
def test_o6_half_day_or_bare_day_refused(api, tech, assigned, start_h, end_h):
    err = _refused(
        api(tech),
        assigned,
        {
            "start": local(2026, 12, 8, start_h).isoformat(),
            "end": local(2026, 12, 8, end_h).isoformat(),
        },
        "window_not_concrete",
    )
    assert "end" in err["fields"]


def test_o6_window_across_midnight_refused(api, tech, assigned):
    _refused(
        api(tech),
        assigned,
        {"start": local(2026, 12, 8, 23).isoformat(), "end": local(2026, 12, 9, 1).isoformat()},
        "window_spans_days",
    )


def test_o6_window_too_short_or_naive_refused(api, tech, assigned):
    _refused(
        api(tech),
        assigned,
        {
            "start": local(2026, 12, 8, 10).isoformat(),
            "end": local(2026, 12, 8, 10, 10).isoformat(),
        },
        "window_too_short",
    )
    _refused(
        api(tech),
        assigned,
        {"start": "2026-12-08T10:00:00", "end": "2026-12-08T12:00:00"},
        "window_naive",
    )
    _refused(api(tech), assigned, {"start": "tomorrow morning", "end": "noon"}, "validation")
    _refused(api(tech), assigned, {"start": local(2026, 12, 8, 10).isoformat()}, "validation")


def test_o6_window_given_in_utc_is_judged_on_the_local_day(api, tech, assigned):
    with frozen(T0):
        out = act(
            api(tech),
            assigned,
            "appointment",
            {
                "start": "2026-12-08T23:30:00+00:00",
                "end": "2026-12-09T01:30:00+00:00",
                "agreed_by": "customer",
            },
        )
    assert out["status"] == "contacted"


def test_o6_concrete_window_accepted_and_recorded(api, tech, assigned):
    s = local(2026, 12, 8, 10, 0)
    with frozen(T0):
        out = act(
            api(tech),
            assigned,
            "appointment",
            {
                "start": s.isoformat(),
                "end": (s + timedelta(hours=2)).isoformat(),
                "agreed_by": "family",
            },
        )
    assert out["status"] == "contacted" and out["last_result"]["kind"] == "appointment"
    assert out["last_result"]["agreed_by"] == "family"
    order = Order.objects.get(number=assigned)
    assert order.appointment_start == s and order.first_contact_at == T0


def _first_window(t, n):
    s = local(2026, 12, 8, 10, 0)
    act(t, n, "appointment", {"start": s.isoformat(), "end": (s + timedelta(hours=2)).isoformat()})


@pytest.mark.parametrize("missing", ["asked_by", "customer_accepted", "reason"])
def test_o6_reschedule_requires_who_asked_acceptance_and_reason(api, tech, assigned, missing):
    t = api(tech)
    body = {
        "start": local(2026, 12, 9, 14).isoformat(),
        "end": local(2026, 12, 9, 16).isoformat(),
        "asked_by": "customer",
        "customer_accepted": True,
        "reason": "客户出差",
    }
    del body[missing]
    with frozen(T0):
        _first_window(t, assigned)
        before = counts()
        err = assert_error(
            t.post(f"/orders/{assigned}/appointment", body), 422, "reschedule_incomplete"
        )
    assert missing in err["fields"]
    assert counts() == before
    assert Order.objects.get(number=assigned).appointment_start == local(2026, 12, 8, 10)


def test_o6_reschedule_recorded_with_who_asked_and_acceptance(api, tech, assigned):
    t = api(tech)
    with frozen(T0):
        _first_window(t, assigned)
        out = act(
            t,
            assigned,
            "appointment",
            {
                "start": local(2026, 12, 9, 14).isoformat(),
                "end": local(2026, 12, 9, 16).isoformat(),
                "asked_by": "technician",
                "customer_accepted": False,
                "reason": "配件未到",
            },
        )
    assert out["last_result"]["kind"] == "rescheduled"
    assert out["appointment_start"].startswith("2026-12-09T")
    order = Order.objects.get(number=assigned)
    assert order.appointment_is_reschedule and order.reschedule_accepted is False
    ev = events_of(assigned)[-1]
    assert ev.reason == "配件未到"
    assert ev.data["asked_by"] == "technician" and ev.data["customer_accepted"] is False
