"""O-8 closing standard (封单) on every path: API, web page, CLI and admin action."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from aftersales.accounts.models import User
from aftersales.orders.models import Order
from tests.flows.helpers import T0, act, assert_error, counts, drive, events_of, frozen, receive

pytestmark = pytest.mark.django_db

NO_TIME_7 = {"kind": "no_time", "days": 7, "stated_by": "customer"}
NO_TIME_6 = {"kind": "no_time", "days": 6, "stated_by": "family"}
REFUSED = {"kind": "refused_repair", "stated_by": "customer", "reason": "不修了"}
WAITING = {"kind": "waiting_parts", "part": "电机", "shipped_by": "manufacturer"}


def _order(api, clerk, tech, upto, ref="C-1"):
    c, t = api(clerk), api(tech)
    n = receive(c, source_ref=ref)["number"]
    if upto:
        drive(c, t, n, upto, now=T0)
    return n


# -- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "upto, extra, code",
    [
        (None, None, "illegal_transition"),
        ("assigned", None, "illegal_transition"),
        ("on_site", None, "illegal_transition"),
        ("completed", None, "illegal_transition"),
        ("on_site", WAITING, "close_unfinished"),
        ("on_site", NO_TIME_6, "close_no_time_too_short"),
    ],
)
def test_o8_close_refused_via_api(api, clerk, tech, upto, extra, code):
    c = api(clerk)
    with frozen(T0):
        n = _order(api, clerk, tech, upto)
        if extra:
            act(api(tech), n, "result", extra)
        before, order = counts(), Order.objects.get(number=n)
        assert_error(c.post(f"/orders/{n}/close"), 409, code)
    after = Order.objects.get(number=n)
    assert (after.status, after.version, after.closed_at) == (order.status, order.version, None)
    assert counts() == before


def test_o8_close_refused_when_refusal_not_on_site(api, clerk, tech):
    # The API cannot reach this state (a refusal needs an arrival); a row whose arrival was
    # lost (e.g. migrated data) must still not close on the refusal ground.
    c, t = api(clerk), api(tech)
    with frozen(T0):
        n = _order(api, clerk, tech, "on_site")
        act(t, n, "result", REFUSED)
        Order.objects.filter(number=n).update(arrived_at=None)
        assert_error(c.post(f"/orders/{n}/close"), 409, "close_refusal_not_on_site")


def test_o8_close_refused_via_web_page(clerk, tech, api):
    with frozen(T0):
        n = _order(api, clerk, tech, "completed")
        browser = Client()
        browser.force_login(clerk)
        before = counts()
        version = Order.objects.get(number=n).version
        r = browser.post(f"/orders/{n}/close/", {"version": str(version)})
    assert r.status_code == 409
    assert b'class="messages"' in r.content and b'class="error"' in r.content
    assert Order.objects.get(number=n).status == "completed"
    assert counts() == before


def test_o8_close_refused_via_cli(api, clerk, tech):
    with frozen(T0):
        n = _order(api, clerk, tech, "completed")
        before = counts()
        with pytest.raises(CommandError, match="illegal_transition"):
            call_command("order", "close", n, "--as", "clerk")
    assert Order.objects.get(number=n).status == "completed"
    assert counts() == before


def test_o8_close_refused_via_cli_for_unsatisfied_gate(api, clerk, tech):
    with frozen(T0):
        n = _order(api, clerk, tech, "on_site")
        act(api(tech), n, "result", NO_TIME_6)
        with pytest.raises(CommandError, match="close_no_time_too_short"):
            call_command("order", "close", n, "--as", "clerk")
    assert Order.objects.get(number=n).status == "pending"


@pytest.fixture
def admin_client(db):
    User.objects.create_superuser("root", "root@example.com", "pw")
    client = Client()
    client.login(username="root", password="pw")
    return client


def _admin_close(admin_client, *numbers):
    pks = [str(Order.objects.get(number=n).pk) for n in numbers]
    return admin_client.post(
        "/admin/orders/order/",
        {
            "action": "close_orders",
            "_selected_action": pks,
            "index": "0",
            "select_across": "0",
        },
        follow=True,
    )


def test_o8_close_refused_via_admin_action(api, clerk, tech, admin_client):
    with frozen(T0):
        n = _order(api, clerk, tech, "completed")
        before = counts()
        r = _admin_close(admin_client, n)
    assert r.status_code == 200
    assert n in r.content.decode()  # the refusal names the order
    assert Order.objects.get(number=n).status == "completed"
    assert counts() == before


def test_o8_admin_action_closes_only_orders_that_meet_the_standard(api, clerk, tech, admin_client):
    with frozen(T0):
        ok = _order(api, clerk, tech, "revisited", ref="OK")
        bad = _order(api, clerk, tech, "completed", ref="BAD")
        _admin_close(admin_client, ok, bad)
    assert Order.objects.get(number=ok).status == "closed"
    assert Order.objects.get(number=bad).status == "completed"
    ev = events_of(ok)[-1]
    assert ev.action == "close" and ev.actor.username == "root"


def test_o8_admin_cannot_edit_status_directly(api, clerk, tech, admin_client):
    with frozen(T0):
        n = _order(api, clerk, tech, "completed")
    pk = Order.objects.get(number=n).pk
    r = admin_client.get(f"/admin/orders/order/{pk}/change/")
    assert r.status_code == 200
    assert b'name="status"' not in r.content


# -- the three grounds -------------------------------------------------------------------------


def test_o8_close_after_satisfied_revisit(api, clerk, tech):
    c = api(clerk)
    with frozen(T0):
        n = _order(api, clerk, tech, "revisited")
        out = act(c, n, "close", {"note": "回访满意"})
    assert out["status"] == "closed"
    order = Order.objects.get(number=n)
    assert order.close_ground == "satisfied" and order.closed_at == T0
    assert events_of(n)[-1].data["ground"] == "satisfied"


def test_o8_close_when_customer_has_no_time_for_seven_days(api, clerk, tech):
    with frozen(T0):
        n = _order(api, clerk, tech, "assigned")
        act(api(tech), n, "result", NO_TIME_7)
        out = act(api(clerk), n, "close")
    assert out["status"] == "closed"
    assert Order.objects.get(number=n).close_ground == "no_time"


def test_o8_close_for_refused_repair_after_arrival(api, clerk, tech):
    with frozen(T0):
        n = _order(api, clerk, tech, "on_site")
        act(api(tech), n, "result", REFUSED)
        out = act(api(clerk), n, "close")
    assert out["status"] == "closed"
    assert Order.objects.get(number=n).close_ground == "refused"


def test_o8_close_via_cli_when_standard_met(api, clerk, tech):
    out = StringIO()
    with frozen(T0):
        n = _order(api, clerk, tech, "revisited")
        call_command("order", "close", n, "--as", "clerk", stdout=out)
    assert out.getvalue().split()[:2] == [n, "closed"]


def test_o8_close_via_web_page_when_standard_met(api, clerk, tech):
    with frozen(T0):
        n = _order(api, clerk, tech, "revisited")
        browser = Client()
        browser.force_login(clerk)
        version = Order.objects.get(number=n).version
        r = browser.post(f"/orders/{n}/close/", {"version": str(version)})
    assert r.status_code == 302 and r["Location"] == f"/orders/{n}/"
    assert Order.objects.get(number=n).status == "closed"


def test_o8_unsatisfied_revisit_sends_the_order_back_to_work(api, clerk, tech):
    c, t = api(clerk), api(tech)
    with frozen(T0):
        n = _order(api, clerk, tech, "completed")
        err = assert_error(c.post(f"/orders/{n}/revisit", {"satisfied": False}), 422, "validation")
        assert err["fields"]
        out = act(c, n, "revisit", {"satisfied": False, "score": 2, "reasons": "还是不制冷"})
        assert out["status"] == "assigned" and out["assignee"] == "tech"
        assert_error(c.post(f"/orders/{n}/close"), 409, "illegal_transition")
        ev = events_of(n)[-1]
        assert (ev.from_status, ev.to_status, ev.reason) == ("completed", "assigned", "还是不制冷")
        # One order to the end: the same order is worked again and only then closed.
        act(t, n, "result", WAITING)
        act(t, n, "complete", {"fault_code": "E1"})
        act(c, n, "revisit", {"satisfied": True})
        assert act(c, n, "close")["status"] == "closed"


def test_o8_technician_may_not_close(api, clerk, tech):
    with frozen(T0):
        n = _order(api, clerk, tech, "revisited")
        assert_error(api(tech).post(f"/orders/{n}/close"), 403, "forbidden")
        with pytest.raises(CommandError, match="forbidden"):
            call_command("order", "close", n, "--as", "tech")
    assert Order.objects.get(number=n).status == "revisited"
