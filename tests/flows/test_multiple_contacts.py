"""O-11: a customer's repeat call is logged with its cause and counts against someone."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftersales.orders.models import Order, RepeatCall
from tests.conftest import local
from tests.flows.helpers import T0, act, assert_error, events_of, frozen, receive, window

pytestmark = pytest.mark.django_db

WINDOW_START = local(2026, 12, 8, 9, 0)  # window 9-11 tomorrow


@pytest.fixture
def contacted(api, clerk, tech):
    c, t = api(clerk), api(tech)
    with frozen(T0):
        n = receive(c)["number"]
        act(c, n, "assign", {"technician": "tech"})
        act(t, n, "appointment", {**window(WINDOW_START), "agreed_by": "customer"})
    return n


def _call(api, clerk, n, at, note="客户来电催促"):
    with frozen(at):
        return act(api(clerk), n, "call", {"note": note})


def test_o11_call_before_window_start_is_not_counted(api, clerk, contacted):
    out = _call(api, clerk, contacted, WINDOW_START - timedelta(minutes=1))
    assert out["multiple_contacts"] == 0
    call = RepeatCall.objects.get()
    assert (call.counts, call.cause, call.responsible) == (False, "", None)
    ev = events_of(contacted)[-1]
    assert (ev.action, ev.from_status, ev.to_status) == ("call", "contacted", "contacted")
    assert ev.data == {"cause": None, "counts": False, "responsible": None}


@pytest.mark.parametrize("minutes", [0, 45])
def test_o11_call_at_or_after_window_start_without_arrival_counts_on_technician(
    api, clerk, tech, contacted, minutes
):
    out = _call(api, clerk, contacted, WINDOW_START + timedelta(minutes=minutes))
    assert out["multiple_contacts"] == 1
    call = RepeatCall.objects.get()
    assert (call.counts, call.cause, call.responsible) == (True, "late_for_window", tech)
    assert call.logged_by.username == "clerk" and call.note == "客户来电催促"
    assert events_of(contacted)[-1].data == {
        "cause": "late_for_window",
        "counts": True,
        "responsible": "tech",
    }


def test_o11_technician_already_on_site_is_not_a_multiple_contact(api, clerk, tech, contacted):
    t = api(tech)
    with frozen(WINDOW_START - timedelta(minutes=10)):
        act(t, contacted, "arrive")
    out = _call(api, clerk, contacted, WINDOW_START + timedelta(minutes=30))
    assert out["multiple_contacts"] == 0


def test_o11_call_without_window_on_unassigned_order_counts_on_clerk(api, clerk):
    with frozen(T0):
        n = receive(api(clerk))["number"]
    out = _call(api, clerk, n, T0 + timedelta(hours=3))
    assert out["multiple_contacts"] == 1
    call = RepeatCall.objects.get()
    assert (call.cause, call.responsible) == ("no_window", clerk)


def test_o11_call_without_window_on_assigned_order_counts_on_technician(api, clerk, tech):
    c = api(clerk)
    with frozen(T0):
        n = receive(c)["number"]
        act(c, n, "assign", {"technician": "tech"})
    _call(api, clerk, n, T0 + timedelta(hours=3))
    call = RepeatCall.objects.get()
    assert (call.cause, call.responsible) == ("no_window", tech)


def test_o11_waiting_for_parts_without_promised_date_counts(api, clerk, tech, contacted):
    with frozen(T0):
        act(
            api(tech),
            contacted,
            "result",
            {"kind": "waiting_parts", "part": "主板", "shipped_by": "manufacturer"},
        )
    out = _call(api, clerk, contacted, T0 + timedelta(hours=1))
    assert out["multiple_contacts"] == 1
    assert RepeatCall.objects.get().cause == "parts_no_date"


def test_o11_parts_promised_date_passed_counts_as_delay(api, clerk, tech, contacted):
    with frozen(T0):
        act(
            api(tech),
            contacted,
            "result",
            {
                "kind": "waiting_parts",
                "part": "主板",
                "shipped_by": "manufacturer",
                "promised_date": "2026-12-09",
            },
        )
    assert _call(api, clerk, contacted, local(2026, 12, 9, 20))["multiple_contacts"] == 0
    assert _call(api, clerk, contacted, local(2026, 12, 10, 9))["multiple_contacts"] == 1
    assert RepeatCall.objects.order_by("pk").last().cause == "parts_delay"


def test_o11_window_changed_without_consent_counts(api, clerk, tech, contacted):
    with frozen(T0):
        act(
            api(tech),
            contacted,
            "appointment",
            {
                **window(local(2026, 12, 9, 14)),
                "asked_by": "technician",
                "customer_accepted": False,
                "reason": "师傅有事",
            },
        )
    _call(api, clerk, contacted, T0 + timedelta(hours=1))
    assert RepeatCall.objects.get().cause == "unagreed_reschedule"


def test_o11_missed_rescheduled_window_counts(api, clerk, tech, contacted):
    with frozen(T0):
        act(
            api(tech),
            contacted,
            "appointment",
            {
                **window(local(2026, 12, 9, 14)),
                "asked_by": "customer",
                "customer_accepted": True,
                "reason": "客户改时间",
            },
        )
    _call(api, clerk, contacted, local(2026, 12, 9, 14, 5))
    assert RepeatCall.objects.get().cause == "missed_reschedule"


def test_o11_multiple_contacts_counter_increments_per_counted_call(api, clerk, contacted):
    _call(api, clerk, contacted, WINDOW_START - timedelta(hours=1))
    _call(api, clerk, contacted, WINDOW_START + timedelta(minutes=5))
    out = _call(api, clerk, contacted, WINDOW_START + timedelta(minutes=50))
    assert out["multiple_contacts"] == 2
    assert Order.objects.get(number=contacted).multiple_contacts == 2
    assert RepeatCall.objects.count() == 3
    assert RepeatCall.objects.filter(counts=True).count() == 2


def test_o11_call_needs_a_note_and_staff_role(api, clerk, tech, contacted):
    with frozen(T0):
        assert_error(api(clerk).post(f"/orders/{contacted}/call", {}), 422, "validation")
        assert_error(api(tech).post(f"/orders/{contacted}/call", {"note": "x"}), 403, "forbidden")
    assert RepeatCall.objects.count() == 0


def test_o11_call_after_completion_is_not_counted(api, clerk, tech, contacted):
    t = api(tech)
    with frozen(T0):
        act(t, contacted, "arrive")
        act(t, contacted, "complete", {"fault_code": "E1"})
    out = _call(api, clerk, contacted, WINDOW_START + timedelta(hours=3))
    assert out["multiple_contacts"] == 0
