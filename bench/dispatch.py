"""Dispatch benchmark (issue 3): `.venv/bin/python -m bench.dispatch [--quick]`.

1. Solomon VRPTW instances, 10 s each, through the product's engine, adapter and validator
   (`aftersales.domain.dispatch_vrp`), against the published optimum where known.
2. A generated network day (2,000 orders, 100 technicians, 6 skills, 2-hour windows,
   3 outlets): planning time, validator violations, share served, travel against the
   greedy baseline a clerk would use.
3. Replanning one outlet's rest of the day after one urgent order at 13:00.

Writes bench/out/dispatch.json and bench/out/dispatch.md. The planner needs no database:
the figures are the engine's (the services add the ORM reads around it).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from aftersales.domain import dispatch_vrp as vrp

from .dispatch_gen import CENTRES, MINUTES, POLICY, network_day
from .report import machine

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
SOLOMON = Path(os.environ.get("SOLOMON_DIR", "/work/shared/data/solomon"))
# Proven optima when only distance is minimised (data README).
OPTIMUM = {
    "C101": 827.3,
    "C201": 589.1,
    "R101": 1637.7,
    "R201": 1143.2,
    "RC101": 1619.8,
    "RC201": 1261.8,
}
H = 3600


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def solomon(seconds: float) -> list[dict[str, Any]]:
    rows = []
    for path in sorted(SOLOMON.glob("*.txt")):
        inst = vrp.read_solomon(path)
        plan = vrp.solve(inst.problem, seconds=seconds, seed=1)
        dist = vrp.exact_distance(inst, plan)
        opt = OPTIMUM.get(inst.name)
        rows.append(
            {
                "instance": inst.name,
                "vehicles": len(plan.routes),
                "distance": round(dist, 2),
                "optimum": opt,
                "gap_pct": round(100 * (dist - opt) / opt, 2) if opt else None,
                "feasible": plan.valid and not plan.solver_violations and not plan.unplanned,
                "seconds": round(plan.runtime, 2),
            }
        )
        print(rows[-1], flush=True)
    return rows


def network(seconds: float, orders: int, techs: int) -> dict[str, Any]:
    p = network_day(orders, techs)
    t0 = time.monotonic()
    base = vrp.greedy(p)
    greedy_s = time.monotonic() - t0
    t0 = time.monotonic()
    plan = vrp.solve(p, seconds=seconds)
    plan_s = time.monotonic() - t0
    again = vrp.validate(p, [(r.vehicle, [s.job for s in r.stops]) for r in plan.routes])
    out = {
        "orders": orders,
        "technicians": techs,
        "skills": 6,
        "outlets": len(CENTRES),
        "plan_s": round(plan_s, 2),
        "solver_violations": len(plan.solver_violations),
        "violations_after": len(again.violations),
        "served": plan.served,
        "served_share": round(plan.served / orders, 4),
        "travel_km": round(plan.distance / 1000, 1),
        "greedy_served": base.served,
        "greedy_served_share": round(base.served / orders, 4),
        "greedy_travel_km": round(base.distance / 1000, 1),
        "greedy_s": round(greedy_s, 2),
        "travel_ratio": round(plan.distance / max(1, base.distance), 3),
        "km_per_order": round(plan.distance / 1000 / max(1, plan.served), 2),
        "greedy_km_per_order": round(base.distance / 1000 / max(1, base.served), 2),
        "capacity_jobs": sum(v.capacity for v in p.vehicles),
    }
    print(out, flush=True)
    replans = replanning(p, plan, runs=5)
    out.update(replans)
    return out


def replanning(p: vrp.Problem, plan: vrp.PlanResult, runs: int) -> dict[str, Any]:
    times = []
    inserted = 0
    for k in range(runs):
        code = list(CENTRES)[k % len(CENTRES)]
        lat, lon = CENTRES[code]
        now = 13 * H + 300 * k
        urgent = vrp.Job(
            id=f"URGENT{k}",
            site=vrp.Site(lat + 0.01 * k, lon - 0.01 * k),
            service=MINUTES["air_conditioner"] * 60,
            window=(now + H, now + 3 * H),
            category="air_conditioner",
            outlet=code,
            prize=int(POLICY.prize_km * 1000 * POLICY.prize_urgent * 3),
        )
        t0 = time.monotonic()
        rest, _fixed, keep = vrp.rest_of_day(p, plan, now=now, extra=[urgent], outlet=code)
        again = vrp.solve(rest, seconds=POLICY.replan_seconds, initial=keep)
        times.append(time.monotonic() - t0)
        inserted += int(urgent.id in again.assignment())
        assert again.valid
    return {
        "replan_runs": runs,
        "replan_median_s": round(statistics.median(times), 2),
        "replan_p99_s": round(pct(times, 0.99), 2),
        "replan_urgent_inserted": inserted,
    }


def markdown(res: dict[str, Any]) -> str:
    m = res["machine"]
    lines = [
        "# Dispatch benchmark",
        "",
        f"Machine: {m['arch']}, {m['cpu']}, {m['cores']} cores (shared), {m['ram_gb']} GB, "
        f"Python {m['python']}, {m['date'][:16]}.",
        "",
        f"## Solomon VRPTW, {res['solomon_seconds']} s each (same engine/adapter/validator)",
        "",
        "| instance | vehicles | distance | optimum | gap % | feasible |",
        "|---|---|---|---|---|---|",
    ]
    for r in res["solomon"]:
        lines.append(
            f"| {r['instance']} | {r['vehicles']} | {r['distance']} | {r['optimum'] or '–'} | "
            f"{r['gap_pct'] if r['gap_pct'] is not None else '–'} | {r['feasible']} |"
        )
    if res["solomon_mean_gap_pct"] is not None:
        lines += [
            "",
            f"Mean gap on the six with a known optimum: **{res['solomon_mean_gap_pct']} %** (target ≤ 1 %).",
        ]
    n = res["network"]
    if n:
        lines += [
            "",
            f"## Network day: {n['orders']} orders, {n['technicians']} technicians, "
            f"{n['skills']} skills, {n['outlets']} outlets, 2-hour windows",
            "",
            "| figure | planner (PyVRP) | greedy baseline | target |",
            "|---|---|---|---|",
            f"| planning time | {n['plan_s']} s | {n['greedy_s']} s | ≤ 30 s |",
            f"| hard-rule violations (validator) | {n['solver_violations']} (after repair {n['violations_after']}) | 0 | 0 |",
            f"| orders served | {n['served']} ({100 * n['served_share']:.1f} %) | {n['greedy_served']} ({100 * n['greedy_served_share']:.1f} %) | ≥ baseline |",
            f"| total travel | {n['travel_km']} km | {n['greedy_travel_km']} km | ≤ 0.7 × baseline |",
            f"| travel ratio | {n['travel_ratio']} × | 1 × | ≤ 0.7 |",
            f"| km per served order | {n['km_per_order']} | {n['greedy_km_per_order']} | |",
            "",
            f"The day is overbooked on purpose: {n['technicians']} technicians × 12 jobs = "
            f"{n['capacity_jobs']} slots for {n['orders']} orders.",
            "",
            f"## Replanning after one urgent order at 13:00 ({n['replan_runs']} runs)",
            "",
            f"median {n['replan_median_s']} s, p99 {n['replan_p99_s']} s (target ≤ 2 s); "
            f"urgent order placed in {n['replan_urgent_inserted']}/{n['replan_runs']} runs.",
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--solomon-seconds", type=float, default=10.0)
    ap.add_argument("--plan-seconds", type=float, default=25.0)
    ap.add_argument("--orders", type=int, default=2000)
    ap.add_argument("--technicians", type=int, default=100)
    ap.add_argument("--skip-solomon", action="store_true")
    args = ap.parse_args(argv)
    res: dict[str, Any] = {
        "machine": machine("not used", {}),
        "solomon_seconds": args.solomon_seconds,
    }
    res["solomon"] = [] if args.skip_solomon else solomon(args.solomon_seconds)
    gaps = [r["gap_pct"] for r in res["solomon"] if r["gap_pct"] is not None]
    res["solomon_mean_gap_pct"] = round(statistics.mean(gaps), 2) if gaps else None
    res["network"] = network(args.plan_seconds, args.orders, args.technicians)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "dispatch.json").write_text(json.dumps(res, indent=2, default=str))
    (OUT / "dispatch.md").write_text(markdown(res))
    print(markdown(res))


if __name__ == "__main__":
    sys.exit(main())
