"""Pages: day board (propose, accept, drag-and-drop move, replan), clerk board, my day."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from aftersales.dispatch.models import PlanLine, PlanProposal, TechnicianProfile
from aftersales.orders.models import Order, OrderEvent
from tests.conftest import local
from tests.flows.helpers import T0, act, frozen, window

pytestmark = pytest.mark.django_db
DAY = "2026-12-08"


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _propose(c: Client) -> PlanProposal:
    with frozen(T0):
        r = c.post("/dispatch/board/propose/", {"outlet": "qd-01", "day": DAY, "seconds": "1"})
    assert r.status_code == 302, r.content[:300]
    return PlanProposal.objects.latest("pk")


def test_d2_board_propose_accept_all_records_events(disp, techs, new_order):
    a = new_order()
    c = login(disp)
    prop = _propose(c)
    with frozen(T0):
        page = c.get(f"/dispatch/board/?outlet=qd-01&day={DAY}")
    assert page.status_code == 200
    html = page.content.decode()
    assert a in html and 'draggable="true"' in html and "tech2" in html
    assert not OrderEvent.objects.filter(action="assign").exists()
    with frozen(T0):
        r = c.post(f"/dispatch/board/{prop.pk}/accept/", {"all": "1"})
    assert r.status_code == 302
    assert Order.objects.get(number=a).assignee.username == "tech"
    assert OrderEvent.objects.filter(order__number=a, action="assign").count() == 1


def test_d2_board_accept_some(disp, techs, new_order):
    new_order()
    new_order(lat=36.07, lon=120.39)
    c = login(disp)
    prop = _propose(c)
    one = prop.lines.first()
    with frozen(T0):
        c.post(f"/dispatch/board/{prop.pk}/accept/", {"line": [str(one.pk)]})
    assert list(PlanLine.objects.filter(state="accepted")) == [one]
    prop.refresh_from_db()
    assert prop.state == "partly"


def test_d2_drag_and_drop_move_posts_to_the_service(disp, techs, new_order):
    new_order()
    c = login(disp)
    prop = _propose(c)
    line = prop.lines.get()
    with frozen(T0):
        r = c.post(
            f"/dispatch/board/{prop.pk}/move/",
            json.dumps({"line": line.pk, "technician": "tech2", "position": 0}),
            content_type="application/json",
        )
    assert r.status_code == 409 and r.json()["error"]["code"] == "move_breaks_rule"
    TechnicianProfile.objects.filter(user__username="tech2").update(skills=["air_conditioner"])
    with frozen(T0):
        r = c.post(
            f"/dispatch/board/{prop.pk}/move/",
            json.dumps({"line": line.pk, "technician": "tech2"}),
            content_type="application/json",
        )
    assert r.status_code == 200, r.content
    line.refresh_from_db()
    assert line.technician.username == "tech2"


def test_o18_board_replan_warns_whom_to_call(disp, techs, new_order):
    n = new_order()
    c = login(disp)
    from tests.conftest import Api

    api = Api(disp)
    with frozen(T0):
        act(api, n, "assign", {"technician": "tech"})
        act(
            api,
            n,
            "appointment",
            {**window(local(2026, 12, 7, 10, 30), 1), "agreed_by": "customer"},
        )
        r = c.post(
            "/dispatch/board/replan/",
            {"outlet": "qd-01", "delay_technician": "tech", "delay_minutes": "200"},
            follow=True,
        )
    assert n in r.content.decode()
    assert PlanProposal.objects.get().must_call[0]["order"] == n


@pytest.mark.parametrize("role", ["technician", "parts_keeper"])
def test_permissions_board_pages_refused(make_user, role):
    u = make_user(f"p_{role}", role)
    c = login(u)
    assert c.get("/dispatch/board/").status_code == 403
    assert c.get("/dispatch/clerk/").status_code == 403
    with frozen(T0):
        c.post("/dispatch/board/propose/", {"outlet": "qd-01", "day": DAY})
    assert PlanProposal.objects.count() == 0


def test_d3_clerk_page(clerk, techs, new_order):
    n = new_order(service_mode="carry_in_both_ways")
    with frozen(T0):
        r = login(clerk).get("/dispatch/clerk/")
    html = r.content.decode()
    assert r.status_code == 200 and n in html
    assert 'id="carry_in"' in html and 'id="at_risk"' in html


def test_d4_phone_page_buttons_write_o15_timestamps(disp, techs, new_order):
    tech = techs[0]
    n = new_order()
    from tests.conftest import Api

    api = Api(disp)
    with frozen(T0):
        act(api, n, "assign", {"technician": "tech"})
        act(api, n, "appointment", {**window(local(2026, 12, 7, 10, 0)), "agreed_by": "customer"})
        page = login(tech).get("/dispatch/my-day/")
    html = page.content.decode()
    assert n in html and 'href="tel:+8613800130001"' in html and 'href="geo:36.08,120.4' in html
    assert 'name="viewport"' in html
    c = login(tech)
    steps = [
        ("start-travel", {}, "travel_started_at", local(2026, 12, 7, 9, 40)),
        ("arrive", {}, "arrived_at", local(2026, 12, 7, 10, 5)),
        (
            "complete",
            {"fault_code": "E1", "solution": "补氟", "test_run_done": "on"},
            "completed_at",
            local(2026, 12, 7, 11, 0),
        ),
    ]
    for action, data, field, at in steps:
        with frozen(at):
            r = c.post(f"/dispatch/my-day/{n}/{action}/", data)
        assert r.status_code == 302
        assert getattr(Order.objects.get(number=n), field) == at, action
    assert Order.objects.get(number=n).status == "completed"


def test_d4_phone_page_refusal_is_shown_and_nothing_written(disp, techs, new_order):
    tech = techs[0]
    n = new_order()
    from tests.conftest import Api

    with frozen(T0):
        act(Api(disp), n, "assign", {"technician": "tech"})
        before = OrderEvent.objects.count()
        r = login(tech).post(f"/dispatch/my-day/{n}/start-travel/", follow=True)
    html = r.content.decode()
    assert f"{n}: " in html and '<li class="error"' in html
    assert OrderEvent.objects.count() == before
    assert Order.objects.get(number=n).travel_started_at is None
