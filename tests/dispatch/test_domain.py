"""Pure dispatch rules: travel, D-1 scoring and fairness, D-2 engine, validator, baseline."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

import pytest

from aftersales.domain import dispatch as rules
from aftersales.domain import dispatch_vrp as vrp
from aftersales.domain.dispatch_travel import EuclideanTravel, Site, StraightLineTravel

NOW = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
QD = Site(36.0671, 120.3826)
NEAR = Site(36.08, 120.40)
H = 3600


def tech(
    name: str,
    *cats: str,
    outlet: str = "qd",
    week: int = 0,
    open_jobs: int = 0,
    home: Site | None = QD,
    shift: bool = True,
    regions: frozenset[str] = frozenset(),
    level: int = 1,
) -> rules.Technician:
    return rules.Technician(
        username=name,
        outlet=outlet,
        skills=tuple(rules.Skill(c, level) for c in cats),
        regions=regions,
        home=home,
        shift=(time(8, 30), time(17, 30)) if shift else None,
        max_jobs=8,
        open_jobs=open_jobs,
        week_jobs=week,
    )


def order(**kw: object) -> rules.OrderFacts:
    base: dict[str, object] = {
        "number": "N1",
        "outlet": "qd",
        "category": "air_conditioner",
        "region": "",
        "site": Site(36.08, 120.40),
        "priority": "normal",
        "sla_due_at": NOW + timedelta(days=2),
    }
    base.update(kw)
    return rules.OrderFacts(**base)  # type: ignore[arg-type]


TRAVEL = StraightLineTravel(1.3, 30.0)


def test_travel_straight_line_times_road_factor_and_speed() -> None:
    a, b = Site(36.0, 120.0), Site(36.1, 120.0)  # ~11.1 km apart
    d, t = TRAVEL.between(a, b)
    assert 14_300 < d < 14_500  # × 1.3
    assert abs(t - d / (30_000 / 3600)) <= 1
    dist, dur = TRAVEL.matrices([a, b])
    assert dist[0, 1] == d and dur[0, 1] == t and dist[0, 0] == 0
    slow = StraightLineTravel(1.3, 15.0)
    assert slow.between(a, b)[1] == pytest.approx(2 * t, abs=2)


def test_d1_candidates_by_skill_outlet_region_and_shift() -> None:
    techs = [
        tech("ac", "air_conditioner"),
        tech("tv", "television"),
        tech("other", "air_conditioner", outlet="jn"),
        tech("off", "air_conditioner", shift=False),
        tech("north", "air_conditioner", regions=frozenset({"north"})),
    ]
    sug = rules.candidates(order(region="south"), techs, travel=TRAVEL, now=NOW)
    assert [c.username for c in sug.candidates] == ["ac"]
    assert sug.excluded == {
        "tv": "no_skill",
        "other": "other_outlet",
        "off": "off_today",
        "north": "other_region",
    }


def test_d1_score_parts_add_up_and_explain_the_choice() -> None:
    far = tech("far", "air_conditioner", home=Site(36.2, 120.6))
    near = tech("near", "air_conditioner")
    sug = rules.candidates(order(), [far, near], travel=TRAVEL, now=NOW)
    assert sug.best is not None and sug.best.username == "near"
    for c in sug.candidates:
        assert set(c.parts) == {"skill", "workload", "distance", "urgency", "fairness"}
        assert c.score == pytest.approx(sum(c.parts.values()), abs=0.05)


def test_d1_fairness_prefers_the_peer_with_fewer_jobs_this_week() -> None:
    busy = tech("busy", "air_conditioner", week=12)
    idle = tech("idle", "air_conditioner", week=2)
    sug = rules.candidates(order(), [busy, idle], travel=TRAVEL, now=NOW)
    assert [c.username for c in sug.candidates] == ["idle", "busy"]
    assert sug.candidates[0].parts["fairness"] > 0 > sug.candidates[1].parts["fairness"]


def test_d1_workload_counts_against() -> None:
    loaded = tech("loaded", "air_conditioner", open_jobs=8)
    free = tech("free", "air_conditioner", open_jobs=0)
    sug = rules.candidates(order(), [loaded, free], travel=TRAVEL, now=NOW)
    assert sug.candidates[0].username == "free"
    assert sug.candidates[1].parts["workload"] == -40.0


def test_d1_urgency_weighs_distance_more_for_urgent_and_near_sla() -> None:
    assert rules.urgency("normal", NOW + timedelta(days=3), NOW, rules.DEFAULT_DISPATCH_POLICY) == 0
    u = rules.urgency("urgent", NOW + timedelta(hours=2), NOW, rules.DEFAULT_DISPATCH_POLICY)
    assert u > 1.5
    far = tech("far", "air_conditioner", home=Site(36.2, 120.6))
    normal = rules.candidates(order(), [far], travel=TRAVEL, now=NOW).candidates[0]
    urgent = rules.candidates(
        order(priority="urgent", sla_due_at=NOW + timedelta(hours=2)), [far], travel=TRAVEL, now=NOW
    ).candidates[0]
    assert normal.parts["urgency"] == 0 and urgent.parts["urgency"] < 0


def test_d1_fairness_spread_per_peer_group() -> None:
    techs = [tech("a", "tv"), tech("b", "tv"), tech("c", "air_conditioner")]
    spreads = rules.fairness_spread({"a": 3, "b": 9, "c": 4}, techs)
    tv = next(s for s in spreads if s.skills == ("tv",))
    assert (tv.min, tv.max, tv.range, tv.mean) == (3, 9, 6, 6.0)


def test_d2_prize_rises_with_priority_sla_and_agreed_window() -> None:
    p = rules.DEFAULT_DISPATCH_POLICY
    later = NOW + timedelta(days=3)
    normal = rules.prize("normal", later, NOW, p, agreed=False)
    assert (
        rules.prize("urgent", later, NOW, p, agreed=False)
        > rules.prize("high", later, NOW, p, agreed=False)
        > normal
    )
    assert rules.prize("normal", NOW + timedelta(hours=3), NOW, p, agreed=False) == 2 * normal
    assert rules.prize("normal", later, NOW, p, agreed=True) == 3 * normal
    assert rules.prize("low", later, NOW, p, agreed=False) < normal


def test_o18_windows_to_move_lists_agreed_orders_no_longer_planned() -> None:
    before = {"A": "t1", "B": "t1", "C": "t2"}
    after = {"A": "t2", "C": "t2"}
    assert rules.windows_to_move(before, after, agreed={"A", "B"}) == ["B"]


def test_d3_at_risk_sla_and_window() -> None:
    p = rules.DEFAULT_DISPATCH_POLICY
    kw = {"now": NOW, "policy": p}
    assert (
        rules.at_risk(sla_due_at=NOW + timedelta(hours=2), window_end=None, arrived=False, **kw)
        == "sla"
    )
    assert (
        rules.at_risk(
            sla_due_at=NOW + timedelta(days=2),
            window_end=NOW + timedelta(hours=1),
            arrived=False,
            **kw,
        )
        == "window"
    )
    assert (
        rules.at_risk(
            sla_due_at=NOW + timedelta(days=2),
            window_end=NOW + timedelta(hours=1),
            arrived=True,
            **kw,
        )
        is None
    )
    assert (
        rules.at_risk(sla_due_at=NOW + timedelta(days=2), window_end=None, arrived=False, **kw)
        is None
    )


# ------------------------------------------------------------------ D-2 engine


def veh(
    name: str,
    *cats: str,
    shift: tuple[int, int] | None = (8 * H, 18 * H),
    cap: int = 8,
    home: Site = QD,
) -> vrp.Vehicle:
    return vrp.Vehicle(name, home, home, shift, skills=frozenset(cats), outlet="qd", capacity=cap)


def job(
    jid: str,
    cat: str = "ac",
    *,
    window: tuple[int, int] | None = None,
    site: Site | None = NEAR,
    service: int = H,
    rank: int = 0,
) -> vrp.Job:
    return vrp.Job(
        jid, site, service, window, category=cat, outlet="qd", prize=10**6, arrival_rank=rank
    )


def test_d2_skills_are_kept_by_profiles_and_checked() -> None:
    p = vrp.Problem(
        [job("a1", "ac"), job("a2", "ac"), job("t1", "tv"), job("t2", "tv")],
        [veh("ac_man", "ac"), veh("tv_man", "tv")],
        TRAVEL,
    )
    plan = vrp.solve(p, seconds=0.5)
    assert plan.valid and not plan.solver_violations and plan.served == 4
    got = plan.assignment()
    assert got == {"a1": "ac_man", "a2": "ac_man", "t1": "tv_man", "t2": "tv_man"}


def test_d2_hard_windows_kept_and_times_recomputed() -> None:
    jobs = [job("late", window=(14 * H, 15 * H)), job("early", window=(9 * H, 10 * H))]
    plan = vrp.solve(vrp.Problem(jobs, [veh("t", "ac")], TRAVEL), seconds=0.3)
    stops = plan.routes[0].stops
    assert [s.job for s in stops] == ["early", "late"]
    assert 9 * H <= stops[0].start <= 10 * H and 14 * H <= stops[1].start <= 15 * H


def test_d2_capacity_max_jobs_per_day() -> None:
    jobs = [job(f"j{i}") for i in range(5)]
    plan = vrp.solve(vrp.Problem(jobs, [veh("t", "ac", cap=3)], TRAVEL), seconds=0.3)
    assert plan.served == 3 and plan.valid
    assert sorted(plan.unplanned.values()) == ["no_room", "no_room"]


def test_d2_bad_input_listed_with_reasons_and_rest_planned() -> None:
    far = Site(37.5, 127.0)  # Seoul: hours away
    jobs = [
        job("ok"),
        job("nosite", site=None),
        job("noskill", "farm"),
        job("unreachable", site=far, window=(8 * H, 9 * H)),
    ]
    vehicles = [veh("t", "ac", "farm_only_off"), veh("farmer", "farm", shift=None)]
    plan = vrp.solve(vrp.Problem(jobs, vehicles, TRAVEL), seconds=0.3)
    assert plan.assignment() == {"ok": "t"}
    assert plan.unplanned == {
        "nosite": "no_coordinates",
        "noskill": "no_technician_on_shift",
        "unreachable": "window_unreachable",
    }
    assert any("farmer" in n for n in plan.notes)


def test_d2_empty_day_is_an_empty_valid_plan() -> None:
    plan = vrp.solve(vrp.Problem([], [veh("t", "ac")], TRAVEL), seconds=0.3)
    assert plan.valid and plan.served == 0 and plan.unplanned == {}


def test_d2_validator_finds_every_hard_rule() -> None:
    p = vrp.Problem(
        [job("a", "ac", window=(8 * H, 8 * H + 60)), job("t", "tv"), job("b", "ac")],
        [veh("x", "ac", cap=1, shift=(8 * H, 9 * H))],
        TRAVEL,
    )
    checked = vrp.validate(p, [("x", ["b", "a", "t", "b"]), ("ghost", ["a"])])
    codes = {v.code for v in checked.violations}
    assert {"window", "skill", "duplicate", "capacity", "shift", "unknown"} <= codes


def test_d2_validator_repair_never_shows_a_broken_plan() -> None:
    p = vrp.Problem([job("a"), job("t", "tv")], [veh("x", "ac")], TRAVEL)
    plan = vrp.finish(p, [("x", ["a", "t"])], p.jobs, {})
    assert plan.valid and plan.assignment() == {"a": "x"}
    assert plan.unplanned == {"t": "rejected_skill"}
    assert [v.code for v in plan.solver_violations] == ["skill"]


def _random_day(n: int, techs: int, seed: int = 3) -> vrp.Problem:
    rnd = random.Random(seed)
    cats = ["ac", "tv", "wm"]
    jobs = []
    for i in range(n):
        start = rnd.choice([9, 11, 13, 15]) * H
        jobs.append(
            job(
                f"j{i}",
                rnd.choice(cats),
                window=(start, start + 2 * H),
                service=45 * 60,
                site=Site(36.0 + rnd.uniform(0, 0.12), 120.3 + rnd.uniform(0, 0.15)),
                rank=i,
            )
        )
    vehicles = [veh(f"t{k}", *rnd.sample(cats, 2), home=Site(36.06, 120.38)) for k in range(techs)]
    return vrp.Problem(jobs, vehicles, TRAVEL)


def test_d2_solver_beats_greedy_baseline_and_both_valid() -> None:
    p = _random_day(40, 6)
    plan = vrp.solve(p, seconds=1.5)
    base = vrp.greedy(p)
    assert plan.valid and base.valid
    assert plan.served >= base.served
    assert plan.distance / plan.served < base.distance / max(1, base.served)


def test_d2_pinned_job_stays_with_its_technician() -> None:
    p = vrp.Problem(
        [vrp.Job("a", Site(36.08, 120.40), H, category="ac", prize=10**6, pinned="y")],
        [veh("x", "ac"), veh("y", "ac", home=Site(36.3, 120.6))],
        TRAVEL,
    )
    assert vrp.solve(p, seconds=0.3).assignment() == {"a": "y"}


def test_solomon_reader_and_engine(tmp_path: object) -> None:
    inst = vrp.read_solomon("/work/shared/data/solomon/C101.txt")
    assert inst.vehicles == 25 and inst.capacity == 200 and len(inst.problem.jobs) == 100
    plan = vrp.solve(inst.problem, seconds=1.0)
    assert plan.valid and plan.served == 100
    assert vrp.exact_distance(inst, plan) < 827.3 * 1.10


def test_euclidean_durations_round_up() -> None:
    tr = EuclideanTravel(10)
    d, t = tr.between(Site(0, 0), Site(1, 1))
    assert d == 14 and t == 15


def test_o18_rest_of_day_keeps_started_jobs_and_inserts_urgent() -> None:
    p = _random_day(30, 4)
    plan = vrp.solve(p, seconds=1.0)
    now = 12 * H
    urgent = job("URGENT", "ac", window=(now + H, now + 3 * H))
    rest, fixed, keep = vrp.rest_of_day(p, plan, now=now, extra=[urgent])
    started = {s.job for r in plan.routes for s in r.stops if s.arrival <= now}
    assert {j for ids in fixed.values() for j in ids} == started and started
    assert not started & {j.id for j in rest.jobs}
    assert not started & {j for ids in keep.values() for j in ids}
    again = vrp.solve(rest, seconds=0.5, initial=keep)
    assert again.valid and "URGENT" in again.assignment()
    for v in rest.vehicles:
        if v.shift:
            assert v.shift[0] >= now
