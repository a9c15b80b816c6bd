"""D-2 day planning: the problem, the PyVRP adapter, the independent validator, the greedy
baseline and a Solomon reader. Pure: no Django, times are integers passed in.

Units are whatever the travel model gives: metres and seconds (from the day's local
midnight) for the network, scaled plane units for Solomon instances.

PyVRP has no skills: every distinct set of jobs a technician may do becomes one routing
profile, in which every job outside the set costs a prohibitive distance and duration.
Whatever the solver returns is checked again by `validate`, which recomputes every leg
with the travel model and knows nothing of the solver; a job that breaks a hard rule is
taken off the plan with its reason, so a plan shown as valid never breaks one.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyvrp

from .dispatch_travel import EuclideanTravel, IntMatrix, Site, TravelModel

# Prohibitive cost of a job a technician may not do (well below PyVRP's MAX_VALUE).
PROHIBITIVE_DISTANCE = 10**10
PROHIBITIVE_DURATION = 10**8
UNBOUNDED = 10**12


@dataclass(frozen=True)
class Job:
    id: str
    site: Site | None
    service: int
    window: tuple[int, int] | None = None  # service starts within (hard)
    category: str = ""
    region: str = ""
    outlet: str = ""
    demand: int = 1
    prize: int = 0
    required: bool = False
    arrival_rank: int = 0  # order of arrival, for the greedy baseline
    pinned: str = ""  # only this vehicle may do it (already assigned)


@dataclass(frozen=True)
class Vehicle:
    id: str
    start: Site | None
    end: Site | None
    shift: tuple[int, int] | None  # None: not working that day
    skills: frozenset[str] | None = None  # None: every category
    regions: frozenset[str] = frozenset()  # empty: every region
    outlet: str = ""
    capacity: int = 10**6
    count: int = 1


@dataclass
class Problem:
    jobs: list[Job]
    vehicles: list[Vehicle]
    travel: TravelModel


@dataclass(frozen=True)
class Stop:
    job: str
    arrival: int
    start: int
    end: int
    travel_distance: int
    travel_duration: int


@dataclass
class TimedRoute:
    vehicle: str
    stops: list[Stop]
    start: int
    end: int
    distance: int


@dataclass(frozen=True)
class Violation:
    code: str  # skill, outlet, region, window, shift, capacity, duplicate, unknown, no_site, off
    vehicle: str
    job: str
    message: str


@dataclass
class Checked:
    routes: list[TimedRoute]
    violations: list[Violation]

    @property
    def distance(self) -> int:
        return sum(r.distance for r in self.routes)

    @property
    def served(self) -> int:
        return sum(len(r.stops) for r in self.routes)


@dataclass
class PlanResult:
    routes: list[TimedRoute]
    unplanned: dict[str, str]  # job id -> reason code
    solver_violations: list[Violation]  # found by the validator in the solver's answer
    runtime: float = 0.0
    solver_feasible: bool = True
    notes: list[str] = field(default_factory=list)

    @property
    def distance(self) -> int:
        return sum(r.distance for r in self.routes)

    @property
    def served(self) -> int:
        return sum(len(r.stops) for r in self.routes)

    violations: list[Violation] = field(default_factory=list)  # after the validator's repair

    @property
    def valid(self) -> bool:
        return not self.violations

    def assignment(self) -> dict[str, str]:
        return {s.job: r.vehicle for r in self.routes for s in r.stops}


def eligible(v: Vehicle, j: Job) -> str | None:
    """None when the vehicle may do the job, else the rule it breaks."""
    if v.skills is not None and j.category not in v.skills:
        return "skill"
    if v.outlet and j.outlet and v.outlet != j.outlet:
        return "outlet"
    if v.regions and j.region and j.region not in v.regions:
        return "region"
    if j.pinned and j.pinned != v.id:
        return "pinned"
    return None


def vehicle_slot(v: Vehicle, k: int) -> str:
    return v.id if v.count == 1 else f"{v.id}#{k}"


# --------------------------------------------------------------------------- validator


def validate(problem: Problem, routes: Sequence[tuple[str, Sequence[str]]]) -> Checked:
    """Recompute every route from the raw problem: skills, outlet, region, hard windows,
    shift start and end, capacity (max jobs), each job at most once."""
    jobs = {j.id: j for j in problem.jobs}
    by_slot: dict[str, Vehicle] = {}
    for v in problem.vehicles:
        for k in range(v.count):
            by_slot[vehicle_slot(v, k)] = v
    travel = problem.travel
    seen: set[str] = set()
    used: set[str] = set()
    out: list[TimedRoute] = []
    bad: list[Violation] = []
    for slot, job_ids in routes:
        found = by_slot.get(slot)
        if found is None:
            bad.append(Violation("unknown", slot, "", f"No technician {slot}."))
            continue
        v = found
        if slot in used:
            bad.append(Violation("duplicate", slot, "", f"{slot} has two routes."))
        used.add(slot)
        if not job_ids:
            continue
        if v.shift is None or v.start is None or v.end is None:
            bad.append(Violation("off", slot, job_ids[0], f"{slot} does not work that day."))
            continue
        t = v.shift[0]
        here = v.start
        load = 0
        dist_total = 0
        stops: list[Stop] = []
        for jid in job_ids:
            j = jobs.get(jid)
            if j is None:
                bad.append(Violation("unknown", slot, jid, f"No job {jid}."))
                continue
            if jid in seen:
                bad.append(Violation("duplicate", slot, jid, f"{jid} is planned twice."))
            seen.add(jid)
            if j.site is None:
                bad.append(Violation("no_site", slot, jid, f"{jid} has no coordinates."))
                continue
            rule = eligible(v, j)
            if rule:
                bad.append(Violation(rule, slot, jid, f"{slot} may not do {jid} ({rule})."))
            d, dt = travel.between(here, j.site)
            arrival = t + dt
            start = arrival
            if j.window is not None:
                start = max(arrival, j.window[0])
                if start > j.window[1]:
                    bad.append(
                        Violation("window", slot, jid, f"{jid} would start after its window.")
                    )
            end = start + j.service
            load += j.demand
            dist_total += d
            stops.append(Stop(jid, arrival, start, end, d, dt))
            t, here = end, j.site
        d, dt = travel.between(here, v.end)
        dist_total += d
        if t + dt > v.shift[1]:
            bad.append(Violation("shift", slot, "", f"{slot} would be back after the shift ends."))
        if load > v.capacity:
            bad.append(
                Violation("capacity", slot, "", f"{slot} has {load} jobs; at most {v.capacity}.")
            )
        out.append(TimedRoute(slot, stops, v.shift[0], t + dt, dist_total))
    return Checked(out, bad)


# --------------------------------------------------------------------------- pre-checks


def precheck(problem: Problem) -> tuple[list[Job], dict[str, str]]:
    """Jobs that can go to the solver, and the others with their reason."""
    working = {id(v) for v in problem.vehicles if v.shift and v.start and v.end}
    ok: list[Job] = []
    why: dict[str, str] = {}
    travel = problem.travel
    for j in problem.jobs:
        if j.site is None:
            why[j.id] = "no_coordinates"
            continue
        qualified = [v for v in problem.vehicles if eligible(v, j) is None]
        if not qualified:
            why[j.id] = "no_qualified_technician"
            continue
        on_shift = [v for v in qualified if id(v) in working]
        if not on_shift:
            why[j.id] = "no_technician_on_shift"
            continue
        reachable = False
        for v in on_shift:
            assert v.shift and v.start and v.end
            _, there = travel.between(v.start, j.site)
            _, back = travel.between(j.site, v.end)
            start = v.shift[0] + there
            if j.window is not None:
                if start > j.window[1]:
                    continue
                start = max(start, j.window[0])
            if start + j.service + back <= v.shift[1] and j.demand <= v.capacity:
                reachable = True
                break
        if not reachable:
            why[j.id] = "window_unreachable" if j.window is not None else "shift_too_short"
            continue
        ok.append(j)
    return ok, why


# --------------------------------------------------------------------------- PyVRP adapter


def _profiles(
    vehicles: Sequence[Vehicle], jobs: Sequence[Job]
) -> tuple[list[int], list[list[int]]]:
    """Per vehicle its profile number; per profile the job indices it may not do."""
    sig_of: dict[bytes, int] = {}
    banned: list[list[int]] = []
    index: list[int] = []
    for v in vehicles:
        mask = np.array([eligible(v, j) is None for j in jobs], dtype=bool)
        key = np.packbits(mask).tobytes()
        if key not in sig_of:
            sig_of[key] = len(banned)
            banned.append([i for i, ok in enumerate(mask) if not ok])
        index.append(sig_of[key])
    return index, banned


def build_data(
    problem: Problem, jobs: Sequence[Job], vehicles: Sequence[Vehicle]
) -> tuple[pyvrp.ProblemData, int]:
    """ProblemData with depots first (one per distinct home/start/end site), then jobs."""
    depot_sites: list[Site] = []
    depot_idx: dict[Site, int] = {}
    for v in vehicles:
        for s in (v.start, v.end):
            assert s is not None
            if s not in depot_idx:
                depot_idx[s] = len(depot_sites)
                depot_sites.append(s)
    n_dep = len(depot_sites)
    sites = depot_sites + [j.site for j in jobs if j.site is not None]
    dist, dur = problem.travel.matrices(sites)
    locations = [pyvrp.Location(x=float(s.x), y=float(s.y)) for s in sites]
    depots = [pyvrp.Depot(location=i) for i in range(n_dep)]
    clients = [
        pyvrp.Client(
            location=n_dep + i,
            delivery=[j.demand],
            service_duration=j.service,
            tw_early=j.window[0] if j.window else 0,
            tw_late=j.window[1] if j.window else UNBOUNDED,
            prize=j.prize,
            required=j.required,
        )
        for i, j in enumerate(jobs)
    ]
    prof_of, banned = _profiles(vehicles, jobs)
    dists: list[IntMatrix] = []
    durs: list[IntMatrix] = []
    for ban in banned:
        if not ban:
            dists.append(dist)
            durs.append(dur)
            continue
        d2, t2 = dist.copy(), dur.copy()
        cols = np.array(ban, dtype=np.int64) + n_dep
        d2[:, cols] = PROHIBITIVE_DISTANCE
        t2[:, cols] = PROHIBITIVE_DURATION
        d2[cols, cols] = 0
        t2[cols, cols] = 0
        dists.append(d2)
        durs.append(t2)
    vtypes = []
    for v, p in zip(vehicles, prof_of, strict=True):
        assert v.shift and v.start and v.end
        vtypes.append(
            pyvrp.VehicleType(
                num_available=v.count,
                capacity=[v.capacity],
                start_depot=depot_idx[v.start],
                end_depot=depot_idx[v.end],
                tw_early=v.shift[0],
                tw_late=v.shift[1],
                profile=p,
                name=v.id,
            )
        )
    return pyvrp.ProblemData(locations, clients, depots, vtypes, dists, durs), n_dep  # type: ignore[arg-type]


def solve(
    problem: Problem,
    *,
    seconds: float,
    seed: int = 1,
    initial: Mapping[str, Sequence[str]] | None = None,
) -> PlanResult:
    """Plan with PyVRP, then validate; jobs the validator rejects leave the plan.

    Technicians never serve another outlet's orders, so a network day splits into one
    problem per outlet, each given a share of the time by its number of orders.
    `initial` (vehicle id -> job ids) warm-starts the search, e.g. from the plan in force.
    """
    outlets = sorted({v.outlet for v in problem.vehicles})
    if len(outlets) <= 1 or any(not v.outlet for v in problem.vehicles):
        return _solve_one(problem, seconds=seconds, seed=seed, initial=initial)
    t0 = time.monotonic()
    parts = []
    for o in outlets:
        jobs = [j for j in problem.jobs if j.outlet == o or (not j.outlet and o == outlets[0])]
        parts.append(Problem(jobs, [v for v in problem.vehicles if v.outlet == o], problem.travel))
    orphans = [j for j in problem.jobs if j.outlet and j.outlet not in outlets]
    merged = PlanResult([], {j.id: "no_qualified_technician" for j in orphans}, [])
    for i, part in enumerate(parts):
        left = seconds - (time.monotonic() - t0)
        share = left * len(part.jobs) / max(1, sum(len(p.jobs) for p in parts[i:]))
        sub = _solve_one(part, seconds=max(0.1, share), seed=seed, initial=initial)
        merged.routes += sub.routes
        merged.unplanned.update(sub.unplanned)
        merged.solver_violations += sub.solver_violations
        merged.violations += sub.violations
        merged.notes += sub.notes
        merged.solver_feasible = merged.solver_feasible and sub.solver_feasible
    merged.runtime = time.monotonic() - t0
    return merged


class Deadline:
    """Stop at a wall-clock moment: the budget then covers PyVRP's own set-up (neighbour
    lists, first local search) too, which its MaxRuntime does not count."""

    def __init__(self, at: float) -> None:
        self.at = at

    def __call__(self, best_cost: float) -> bool:
        return time.monotonic() >= self.at


def _warm_start(
    data: pyvrp.ProblemData,
    jobs: Sequence[Job],
    vehicles: Sequence[Vehicle],
    initial: Mapping[str, Sequence[str]],
) -> pyvrp.Solution | None:
    index = {j.id: i for i, j in enumerate(jobs)}
    routes = []
    for vi, v in enumerate(vehicles):
        visits = [index[j] for j in initial.get(v.id, ()) if j in index]
        if visits and v.count == 1:
            routes.append(pyvrp.Route(data, visits, vi))
    try:
        return pyvrp.Solution(data, routes) if routes else None
    except (ValueError, RuntimeError):
        return None


def _solve_one(
    problem: Problem,
    *,
    seconds: float,
    seed: int,
    initial: Mapping[str, Sequence[str]] | None = None,
) -> PlanResult:
    t0 = time.monotonic()
    jobs, why = precheck(problem)
    vehicles = [v for v in problem.vehicles if v.shift and v.start and v.end]
    notes = [f"{v.id}: no shift that day" for v in problem.vehicles if not v.shift]
    if not jobs or not vehicles:
        for j in jobs:
            why[j.id] = "no_technician_on_shift"
        return PlanResult([], why, [], time.monotonic() - t0, True, notes)
    data, _ = build_data(problem, jobs, vehicles)
    # Prizes are worth hundreds of km: penalties must be able to outgrow them, or the
    # search would rather break a shift or a daily maximum than leave an order out.
    top = max([j.prize for j in jobs] + [1])
    params = pyvrp.SolveParams(penalty=pyvrp.PenaltyParams(max_penalty=max(100_000.0, 10.0 * top)))
    res = pyvrp.solve(
        data,
        Deadline(time.monotonic() + max(0.05, seconds - (time.monotonic() - t0))),
        seed=seed,
        display=False,
        params=params,
        initial_solution=_warm_start(data, jobs, vehicles, initial) if initial else None,
    )
    best = res.best
    slot_next = {i: 0 for i in range(len(vehicles))}
    raw: list[tuple[str, list[str]]] = []
    for route in best.routes():
        vi = route.vehicle_type()
        v = vehicles[vi]
        slot = vehicle_slot(v, slot_next[vi])
        slot_next[vi] += 1
        ids = [jobs[a.idx].id for a in route.schedule() if a.is_client()]
        raw.append((slot, ids))
    plan = finish(problem, raw, jobs, why)
    plan.runtime = time.monotonic() - t0
    plan.solver_feasible = best.is_feasible()
    plan.notes = notes
    return plan


def finish(
    problem: Problem,
    raw: list[tuple[str, list[str]]],
    jobs: Iterable[Job],
    why: dict[str, str],
) -> PlanResult:
    """Validate the routes; take off the jobs that break a hard rule until none does."""
    first = validate(problem, raw)
    solver_violations = list(first.violations)
    routes = [(s, list(ids)) for s, ids in raw]
    checked = first
    for _ in range(10_000):
        if not checked.violations:
            break
        bad = checked.violations[0]
        for slot, ids in routes:
            if slot != bad.vehicle:
                continue
            if bad.job and bad.job in ids:
                ids.remove(bad.job)
                why[bad.job] = f"rejected_{bad.code}"
            elif ids:  # shift or capacity: drop the last job of the route
                why[ids.pop()] = f"rejected_{bad.code}"
            break
        else:
            break
        checked = validate(problem, routes)
    planned = {s.job for r in checked.routes for s in r.stops}
    for j in jobs:
        if j.id not in planned and j.id not in why:
            why[j.id] = "no_room"
    return PlanResult(
        [r for r in checked.routes if r.stops],
        why,
        solver_violations,
        notes=[],
        violations=list(checked.violations),
    )


# --------------------------------------------------------------------------- greedy baseline


def greedy(problem: Problem) -> PlanResult:
    """What a clerk would do: take the orders in order of arrival and give each to the
    nearest (from the home base) qualified technician who is still free for it, i.e. has
    room under the daily maximum and can fit it into a day visited in window order and
    still be home by the end of the shift."""
    t0 = time.monotonic()
    jobs, why = precheck(problem)
    slots: list[tuple[str, Vehicle]] = [
        (vehicle_slot(v, k), v)
        for v in problem.vehicles
        if v.shift and v.start and v.end
        for k in range(v.count)
    ]
    routes: dict[str, list[Job]] = {s: [] for s, _ in slots}
    for j in sorted(jobs, key=lambda j: j.arrival_rank):
        assert j.site is not None
        options = []
        for slot, v in slots:
            if eligible(v, j) is not None:
                continue
            if sum(x.demand for x in routes[slot]) + j.demand > v.capacity:
                continue
            assert v.start is not None
            options.append((problem.travel.between(v.start, j.site)[0], slot, v))
        options.sort(key=lambda o: (o[0], o[1]))
        for _, slot, v in options:
            trial = sorted([*routes[slot], j], key=_window_key)
            if _fits(problem, v, trial):
                routes[slot] = trial
                break
        else:
            why[j.id] = "no_room"
    plan = finish(problem, [(s, [j.id for j in r]) for s, r in routes.items() if r], jobs, why)
    plan.runtime = time.monotonic() - t0
    return plan


def _window_key(j: Job) -> tuple[int, int]:
    return (j.window[0] if j.window else 0, j.arrival_rank)


def _fits(problem: Problem, v: Vehicle, route: Sequence[Job]) -> bool:
    assert v.shift and v.start and v.end
    t, here = v.shift[0], v.start
    for j in route:
        assert j.site is not None
        t += problem.travel.between(here, j.site)[1]
        if j.window is not None:
            if t > j.window[1]:
                return False
            t = max(t, j.window[0])
        t += j.service
        here = j.site
    return t + problem.travel.between(here, v.end)[1] <= v.shift[1]


# --------------------------------------------------------------------------- Solomon


@dataclass
class Solomon:
    name: str
    problem: Problem
    vehicles: int
    capacity: int
    scale: int


def read_solomon(path: str | Path, *, scale: int = 100) -> Solomon:
    """A Solomon-format VRPTW file: depot is customer 0; READY/DUE bound the service start."""
    lines = [ln.split() for ln in Path(path).read_text().splitlines()]
    lines = [ln for ln in lines if ln]
    name = lines[0][0]
    nums = [ln for ln in lines if all(_is_num(x) for x in ln)]
    n_veh, cap = int(nums[0][0]), int(nums[0][1])
    rows = [ln for ln in nums[1:] if len(ln) >= 7]
    if not rows:
        raise ValueError("No customer rows in the file.")
    depot = rows[0]
    home = Site(float(depot[1]), float(depot[2]))
    horizon = (round(float(depot[4]) * scale), round(float(depot[5]) * scale))
    jobs = [
        Job(
            id=str(int(float(r[0]))),
            site=Site(float(r[1]), float(r[2])),
            demand=int(float(r[3])),
            window=(round(float(r[4]) * scale), round(float(r[5]) * scale)),
            service=round(float(r[6]) * scale),
            required=True,
            arrival_rank=i,
        )
        for i, r in enumerate(rows[1:])
    ]
    veh = Vehicle("v", home, home, horizon, capacity=cap, count=n_veh)
    return Solomon(name, Problem(jobs, [veh], EuclideanTravel(scale)), n_veh, cap, scale)


def _is_num(x: str) -> bool:
    try:
        float(x)
    except ValueError:
        return False
    return True


def exact_distance(inst: Solomon, plan: PlanResult) -> float:
    """The plan's length in the instance's own (unscaled, unrounded) units."""
    sites = {j.id: j.site for j in inst.problem.jobs}
    home = inst.problem.vehicles[0].start
    assert home is not None
    total = 0.0
    for r in plan.routes:
        pts = [home, *[sites[s.job] for s in r.stops], home]
        for a, b in zip(pts, pts[1:], strict=False):
            assert a is not None and b is not None
            total += float(np.hypot(a.x - b.x, a.y - b.y))
    return total


# --------------------------------------------------------------------------- replanning


def rest_of_day(
    problem: Problem,
    plan: PlanResult,
    *,
    now: int,
    extra: Sequence[Job] = (),
    delays: dict[str, int] | None = None,
    outlet: str | None = None,
) -> tuple[Problem, dict[str, list[str]], dict[str, list[str]]]:
    """The problem left at `now`: jobs begun before now stay with their technician (fixed),
    who is free again after the last of them, there; the rest (and `extra`) is replanned.
    Returns the new problem, the fixed jobs per technician and the plan still in force
    for them (a warm start)."""
    jobs = {j.id: j for j in problem.jobs}
    fixed: dict[str, list[str]] = {}
    free_at: dict[str, tuple[Site, int, int]] = {}
    for r in plan.routes:
        done = [s for s in r.stops if s.arrival <= now]
        if done:
            last = done[-1]
            site = jobs[last.job].site
            assert site is not None
            fixed[r.vehicle] = [s.job for s in done]
            free_at[r.vehicle] = (site, max(now, last.end), len(done))
    taken = {j for ids in fixed.values() for j in ids}
    vehicles = []
    for v in problem.vehicles:
        if outlet and v.outlet != outlet:
            continue
        if v.shift is None:
            vehicles.append(v)
            continue
        site, t, n = free_at.get(v.id, (v.start, max(now, v.shift[0]), 0))
        t += (delays or {}).get(v.id, 0)
        shift = (t, v.shift[1]) if v.shift[1] > t else None
        vehicles.append(
            Vehicle(
                v.id, site, v.end, shift, v.skills, v.regions, v.outlet, v.capacity - n, v.count
            )
        )
    left = [
        j
        for j in [*problem.jobs, *extra]
        if j.id not in taken
        and (not outlet or j.outlet == outlet)
        and (j.window is None or j.window[1] >= now)
    ]
    keep = {
        r.vehicle: [s.job for s in r.stops if s.arrival > now]
        for r in plan.routes
        if not outlet or any(v.id == r.vehicle for v in vehicles)
    }
    return Problem(left, vehicles, problem.travel), fixed, keep
