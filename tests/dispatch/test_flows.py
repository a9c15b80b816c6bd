"""Dispatch through the API: D-1 assignment, D-2 propose/accept/move, O-18 replan, D-3/D-4."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftersales.dispatch.models import PlanLine, PlanProposal, TechnicianProfile
from aftersales.orders.models import Order, OrderEvent
from tests.conftest import local
from tests.flows.helpers import T0, act, assert_error, frozen, window

pytestmark = pytest.mark.django_db
DAY = "2026-12-08"  # the Tuesday after T0
TUE_10 = local(2026, 12, 8, 10, 0)


def _plan(client, **body):
    with frozen(T0):
        r = client.post("/dispatch/plans", {"day": DAY, "seconds": 0.5, **body})
    assert r.status_code == 201, r.content
    return r.json()


# ---------------------------------------------------------------- D-1 / O-4


def test_o4_reassign_needs_reason_nothing_written_then_flags(api, disp, techs, new_order):
    n = new_order()
    c = api(disp)
    with frozen(T0):
        r = c.post(f"/dispatch/orders/{n}/assign", {"technician": "tech"})
        assert r.status_code == 200 and r.json()["assignee"] == "tech"
        events = OrderEvent.objects.count()
        err = assert_error(
            c.post(f"/dispatch/orders/{n}/reassign", {"technician": "tech2"}),
            422,
            "reason_required",
        )
        assert "reason" in err["fields"]
        assert OrderEvent.objects.count() == events
        assert Order.objects.get(number=n).assignee.username == "tech"
        r = c.post(
            f"/dispatch/orders/{n}/reassign", {"technician": "tech2", "reason": "错地址改派"}
        )
    assert r.status_code == 200 and r.json()["reassigned_flag"] is True
    ev = OrderEvent.objects.filter(order__number=n).last()
    assert ev.reason == "错地址改派" and ev.data["reassign"] is True


def test_d1_candidates_show_score_parts_and_exclusions(api, disp, techs, new_order):
    n = new_order("air_conditioner")
    with frozen(T0):
        r = api(disp).get(f"/dispatch/orders/{n}/candidates")
    body = r.json()
    assert [c["username"] for c in body["candidates"]] == ["tech"]
    assert body["excluded"] == {"tech2": "no_skill"}
    c = body["candidates"][0]
    assert set(c["parts"]) == {"skill", "workload", "distance", "urgency", "fairness"}
    assert c["score"] == pytest.approx(sum(c["parts"].values()), abs=0.05)


def test_d1_auto_assign_records_why_in_the_event(api, disp, techs, new_order, make_user):
    peer = make_user("tech3", "technician")
    TechnicianProfile.objects.create(
        user=peer, skills=["air_conditioner"], home_latitude=36.0671, home_longitude=120.3826
    )
    # tech already got three jobs this week: fairness sends the next one to the peer.
    with frozen(T0):
        for _ in range(3):
            act(api(disp), new_order(), "assign", {"technician": "tech"})
        n = new_order()
        r = api(disp).post(f"/dispatch/orders/{n}/auto-assign", {})
    assert r.status_code == 200, r.content
    assert r.json()["assignee"] == "tech3"
    assert r.json()["chosen"]["parts"]["fairness"] > 0
    ev = OrderEvent.objects.filter(order__number=n, action="assign").get()
    # The reason is written in the network's language; the parts are named by their codes.
    chosen = r.json()["chosen"]
    assert all(f"{part} " in ev.reason for part in chosen["parts"])
    assert f"{chosen['score']:.2f}" in ev.reason


def test_d1_auto_assign_without_candidate_is_a_clear_409(api, disp, techs, new_order):
    n = new_order("washing_machine")
    before = OrderEvent.objects.count()
    with frozen(T0):
        assert_error(api(disp).post(f"/dispatch/orders/{n}/auto-assign", {}), 409, "no_candidate")
    assert OrderEvent.objects.count() == before


def test_d1_fairness_spread_api(api, disp, techs, new_order):
    with frozen(T0):
        act(api(disp), new_order(), "assign", {"technician": "tech"})
        body = api(disp).get("/dispatch/fairness").json()
    groups = {tuple(g["skills"]): g for g in body}
    assert groups[("air_conditioner", "refrigerator")]["technicians"] == {"tech": 1}


# ---------------------------------------------------------------- D-2


def test_d2_propose_writes_no_assignment(api, disp, techs, new_order):
    a, t = new_order("air_conditioner"), new_order("television", lat=36.07, lon=120.39)
    events = OrderEvent.objects.count()
    body = _plan(api(disp))
    assert body["valid"] is True and body["state"] == "proposed"
    got = {ln["order"]: ln["technician"] for ln in body["lines"]}
    assert got == {a: "tech", t: "tech2"}
    assert OrderEvent.objects.count() == events
    assert not Order.objects.filter(assignee__isnull=False).exists()
    assert body["figures"]["served"] == 2 and "greedy_travel_km" in body["figures"]


def test_d2_unplannable_orders_listed_with_reason_rest_planned(
    api, disp, techs, new_order, make_user
):
    ok = new_order()
    nocoords = new_order(lat=None)
    noskill = new_order("washing_machine")
    off = make_user("offtech", "technician")
    TechnicianProfile.objects.create(
        user=off, skills=["dishwasher"], home_latitude=36.0, home_longitude=120.3, shifts={}
    )
    dish = new_order("dishwasher")
    early = new_order()
    with frozen(T0):
        act(api(disp), early, "assign", {"technician": "tech"})
        # 06:00–07:00: before the only qualified technician's shift starts (08:30).
        act(
            api(disp),
            early,
            "appointment",
            {**window(local(2026, 12, 8, 6, 0), 1), "agreed_by": "customer"},
        )
    body = _plan(api(disp))
    reasons = {u["order"]: u["reason"] for u in body["unplanned"]}
    assert reasons == {
        nocoords: "no_coordinates",
        noskill: "no_qualified_technician",
        dish: "no_technician_on_shift",
        early: "window_unreachable",
    }
    assert all(u["message"] for u in body["unplanned"])
    assert [ln["order"] for ln in body["lines"]] == [ok]
    assert any("offtech" in n for n in body["notes"])


def test_d2_agreed_window_is_hard_and_kept(api, disp, techs, new_order):
    n = new_order()
    c = api(disp)
    with frozen(T0):
        act(c, n, "assign", {"technician": "tech"})
        act(c, n, "appointment", {**window(TUE_10), "agreed_by": "customer"})
    line = _plan(c)["lines"][0]
    assert line["window_agreed"] is True
    from django.utils.dateparse import parse_datetime

    start = parse_datetime(line["start"]) if isinstance(line["start"], str) else line["start"]
    assert TUE_10 <= start <= TUE_10 + timedelta(hours=2)


def test_d2_accept_some_then_all_records_assign_events(api, disp, techs, new_order):
    a, b = new_order(), new_order(lat=36.07, lon=120.39)
    c = api(disp)
    plan = _plan(c)
    first = plan["lines"][0]
    with frozen(T0):
        r = c.post(f"/dispatch/plans/{plan['id']}/accept", {"lines": [first["id"]]})
    assert r.json()["state"] == "partly"
    assert Order.objects.filter(assignee__isnull=False).count() == 1
    with frozen(T0):
        r = c.post(f"/dispatch/plans/{plan['id']}/accept", {})
    assert r.json()["state"] == "accepted"
    for n in (a, b):
        ev = OrderEvent.objects.get(order__number=n, action="assign")
        assert f"#{plan['id']}" in ev.reason


def test_d2_accept_refuses_line_changed_by_another_dispatcher(
    api, disp, techs, new_order, make_user
):
    n = new_order()
    other = make_user("disp2", "dispatcher")
    TechnicianProfile.objects.filter(user__username="tech2").update(
        skills=["air_conditioner", "television"]
    )
    c = api(disp)
    plan = _plan(c)
    planned = plan["lines"][0]["technician"]
    someone_else = "tech2" if planned == "tech" else "tech"
    with frozen(T0):
        act(api(other), n, "assign", {"technician": someone_else})
        r = c.post(f"/dispatch/plans/{plan['id']}/accept", {})
    line = r.json()["lines"][0]
    assert line["state"] == "refused" and line["message"]
    assert r.json()["state"] == "partly"
    assert Order.objects.get(number=n).assignee.username == someone_else


def test_d2_accept_unknown_line_refused_nothing_written(api, disp, techs, new_order):
    new_order()
    c = api(disp)
    plan = _plan(c)
    before = OrderEvent.objects.count()
    with frozen(T0):
        assert_error(
            c.post(f"/dispatch/plans/{plan['id']}/accept", {"lines": [999999]}), 422, "unknown_line"
        )
    assert OrderEvent.objects.count() == before
    assert PlanLine.objects.filter(state="accepted").count() == 0


def test_d2_move_validated_and_refused_when_it_breaks_a_skill(api, disp, techs, new_order):
    new_order()
    c = api(disp)
    plan = _plan(c)
    line = plan["lines"][0]
    with frozen(T0):
        err = assert_error(
            c.post(
                f"/dispatch/plans/{plan['id']}/lines/{line['id']}/move", {"technician": "tech2"}
            ),
            409,
            "move_breaks_rule",
        )
    assert "skill" in err["message"]
    assert PlanLine.objects.get(pk=line["id"]).technician.username == "tech"
    TechnicianProfile.objects.filter(user__username="tech2").update(
        skills=["air_conditioner", "television"]
    )
    with frozen(T0):
        r = c.post(f"/dispatch/plans/{plan['id']}/lines/{line['id']}/move", {"technician": "tech2"})
    assert r.status_code == 200, r.content
    assert r.json()["lines"][0]["technician"] == "tech2"


def test_d2_superseded_plan_cannot_be_accepted(api, disp, techs, new_order):
    new_order()
    c = api(disp)
    old = _plan(c)
    _plan(c)
    with frozen(T0):
        assert_error(c.post(f"/dispatch/plans/{old['id']}/accept", {}), 409, "plan_superseded")


# ---------------------------------------------------------------- O-18 replan


def test_o18_replan_delay_lists_customers_to_call(api, disp, techs, new_order):
    c = api(disp)
    n = new_order()
    mon_1030 = local(2026, 12, 7, 10, 30)
    with frozen(T0):
        act(c, n, "assign", {"technician": "tech"})
        act(c, n, "appointment", {**window(mon_1030, 1), "agreed_by": "customer"})
        r = c.post("/dispatch/replan", {"seconds": 0.5})
    assert r.status_code == 201 and r.json()["must_call"] == []
    with frozen(T0):
        r = c.post(
            "/dispatch/replan",
            {"delay_technician": "tech", "delay_minutes": 180, "seconds": 0.5},
        )
    body = r.json()
    assert body["kind"] == "replan"
    assert [m["order"] for m in body["must_call"]] == [n]
    assert body["lines"] == []


def test_o18_replan_keeps_started_jobs_fixed(api, disp, techs, new_order):
    c = api(disp)
    started, later = new_order(), new_order(lat=36.09, lon=120.42)
    with frozen(T0):
        for n, h in ((started, 9), (later, 13)):
            act(c, n, "assign", {"technician": "tech"})
            act(
                c,
                n,
                "appointment",
                {**window(local(2026, 12, 7, h, 15), 2), "agreed_by": "customer"},
            )
        act(api(techs[0]), started, "start-travel")
        r = c.post("/dispatch/replan", {"urgent_order": later, "seconds": 0.5})
    body = r.json()
    assert body["figures"]["fixed_started"] == 1
    assert [ln["order"] for ln in body["lines"]] == [later]
    assert Order.objects.get(number=started).status == "on_the_way"


def test_o18_replan_bad_input(api, disp, techs):
    c = api(disp)
    with frozen(T0):
        assert_error(
            c.post("/dispatch/replan", {"delay_technician": "nobody", "delay_minutes": 10}),
            422,
            "unknown_technician",
        )
        assert_error(
            c.post("/dispatch/replan", {"delay_technician": "tech", "delay_minutes": 0}),
            422,
            "validation",
        )
    assert PlanProposal.objects.count() == 0


# ---------------------------------------------------------------- permissions


@pytest.mark.parametrize("role", ["technician", "parts_keeper"])
def test_permissions_only_dispatchers_plan(api, make_user, techs, role):
    u = make_user(f"u_{role}", role)
    with frozen(T0):
        assert_error(api(u).post("/dispatch/plans", {"day": DAY}), 403, "forbidden")
    assert PlanProposal.objects.count() == 0


def test_permissions_other_outlet_cannot_see_plan(
    api, disp, techs, new_order, make_user, other_outlet
):
    new_order()
    plan = _plan(api(disp))
    stranger = make_user("disp_jn", "dispatcher", outlet=other_outlet)
    assert_error(api(stranger).get(f"/dispatch/plans/{plan['id']}"), 404, "not_found")
    assert_error(api(stranger).get("/technicians/tech"), 404, "not_found")


def test_manager_plans_any_outlet(api, manager, techs, new_order):
    new_order()
    body = _plan(api(manager), outlet="qd-01")
    assert body["outlet"] == "qd-01" and body["figures"]["served"] == 1
    with frozen(T0):
        assert_error(api(manager).post("/dispatch/plans", {"day": DAY}), 422, "outlet_required")


# ---------------------------------------------------------------- technicians


def test_technician_profile_edit_and_bad_input(api, make_user, techs):
    sup = make_user("sup", "supervisor")
    c = api(sup)
    body = {
        "skills": [{"category": "television", "level": 3}],
        "regions": ["north"],
        "home_latitude": 36.1,
        "home_longitude": 120.4,
        "shifts": {"mon": ["09:00", "18:00"]},
        "days_off": ["2026-12-08"],
        "max_jobs_per_day": 6,
    }
    r = c.client.put(
        "/api/v1/technicians/tech", body, content_type="application/json", **c._h(None)
    )
    assert r.status_code == 200, r.content
    p = TechnicianProfile.objects.get(user__username="tech")
    assert p.max_jobs_per_day == 6 and p.shifts == {"mon": ["09:00", "18:00"]}
    for bad, field in (
        ({**body, "shifts": {"mon": ["18:00", "09:00"]}}, "shifts"),
        ({**body, "home_latitude": 95}, "home_latitude"),
        ({**body, "home_longitude": None}, "home_longitude"),
        ({**body, "max_jobs_per_day": 0}, "max_jobs_per_day"),
    ):
        r = c.client.put(
            "/api/v1/technicians/tech", bad, content_type="application/json", **c._h(None)
        )
        err = assert_error(r, 422)
        assert any(k.startswith(field) for k in err["fields"]), err
    p.refresh_from_db()
    assert p.max_jobs_per_day == 6 and p.home_latitude == 36.1


def test_technician_sees_only_self(api, techs):
    body = api(techs[0]).get("/technicians").json()
    assert [t["username"] for t in body] == ["tech"]
    assert_error(api(techs[0]).get("/technicians/tech2"), 404)


# ---------------------------------------------------------------- D-3 / D-4


def test_d4_my_day_in_planned_order_after_accept(api, disp, techs, new_order):
    c = api(disp)
    new_order()
    new_order(lat=36.10, lon=120.45)
    plan = _plan(c)
    with frozen(T0):
        c.post(f"/dispatch/plans/{plan['id']}/accept", {})
        body = api(techs[0]).get("/dispatch/my-day", day=DAY).json()
    planned = [ln["order"] for ln in sorted(plan["lines"], key=lambda x: x["start"])]
    assert [j["number"] for j in body] == planned
    assert body[0]["phones"] and body[0]["address"]


def test_d3_clerk_board_sections(api, clerk, disp, techs, new_order):
    c = api(clerk)
    late = new_order(priority="urgent")
    flagged = new_order()
    carry = new_order(service_mode="carry_in_both_ways")
    with frozen(T0):
        act(c, flagged, "assign", {"technician": "tech"})
        act(c, flagged, "assign", {"technician": "tech2", "reason": "改派"})
        tomorrow = new_order()
        act(c, tomorrow, "assign", {"technician": "tech"})
        act(c, tomorrow, "appointment", {**window(TUE_10), "agreed_by": "customer"})
    with frozen(T0 + timedelta(hours=46)):
        body = api(clerk).get("/dispatch/board/clerk").json()
    assert body["person"] == "clerk"
    assert [r["number"] for r in body["carry_in"]] == [carry]
    assert [r["number"] for r in body["special"]] == [flagged]
    assert "reassigned" in body["special"][0]["flags"]
    assert late in {r["number"] for r in body["at_risk"]}
    with frozen(T0):
        body = api(clerk).get("/dispatch/board/clerk").json()
    assert [r["number"] for r in body["tomorrow"]] == [tomorrow]


def test_o17_urgent_order_reached_within_response_time(api, disp, techs, new_order):
    c = api(disp)
    n = new_order(priority="urgent")
    with frozen(T0):
        body = c.post("/dispatch/replan", {"urgent_order": n, "seconds": 0.5}).json()
    line = next(ln for ln in body["lines"] if ln["order"] == n)
    from django.utils.dateparse import parse_datetime

    arrival = parse_datetime(line["start"])
    assert T0 <= arrival <= T0 + timedelta(minutes=60)
    assert not any("O-17" in x for x in body["notes"])


def test_o17_urgent_order_too_far_is_planned_with_an_apology_note(api, disp, techs, new_order):
    c = api(disp)
    n = new_order(priority="urgent", lat=36.6758, lon=117.0211)  # Jinan: hours from Qingdao
    with frozen(T0):
        body = c.post("/dispatch/replan", {"urgent_order": n, "seconds": 0.5}).json()
    assert any("O-17" in x and n in x for x in body["notes"])


def test_o18_replan_refuses_an_order_that_is_not_plannable(api, disp, techs, new_order):
    n = new_order(service_mode="carry_in_both_ways")
    with frozen(T0):
        assert_error(api(disp).post("/dispatch/replan", {"urgent_order": n}), 409, "not_plannable")
    assert PlanProposal.objects.count() == 0


def test_o6_accepting_a_plan_writes_no_appointment(api, disp, techs, new_order):
    n = new_order()
    c = api(disp)
    plan = _plan(c)
    with frozen(T0):
        c.post(f"/dispatch/plans/{plan['id']}/accept", {})
    o = Order.objects.get(number=n)
    assert o.status == "assigned" and o.appointment_start is None
    assert not OrderEvent.objects.filter(order=o, action="appointment").exists()
    assert PlanLine.objects.get(order=o).start is not None  # the planned time stays on the line


class _FakeGeocoder:
    def locate(self, address, region):
        from aftersales.domain.dispatch_travel import Site

        return Site(36.08, 120.40) if "香港中路" in address else None


def test_d2_geocoding_backend_is_pluggable(api, disp, techs, new_order, settings):
    n = new_order(lat=None)
    assert _plan(api(disp))["unplanned"][0]["reason"] == "no_coordinates"
    settings.DISPATCH_GEOCODER = "tests.dispatch.test_flows._FakeGeocoder"
    body = _plan(api(disp))
    assert [ln["order"] for ln in body["lines"]] == [n]


def test_technician_list_shows_workload(api, disp, techs, new_order):
    with frozen(T0):
        act(api(disp), new_order(), "assign", {"technician": "tech"})
        body = api(disp).get("/technicians").json()
    by = {t["username"]: t for t in body}
    assert by["tech"]["open_jobs"] == 1 and by["tech2"]["open_jobs"] == 0
    assert by["tech"]["skills"][0] == {"category": "air_conditioner", "level": 2}
