"""`aftersales solve-vrptw FILE [--seconds N]`: a Solomon-format VRPTW file through the same
engine, adapter and validator as the product's day planner."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from aftersales.domain import dispatch_vrp as vrp


class Command(BaseCommand):
    help = "Solve a Solomon VRPTW file; last line: vehicles=<int> distance=<float> feasible=<bool>."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--seconds", type=float, default=10.0)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, file: str, seconds: float, seed: int, **kw: Any) -> None:
        if not 0 < seconds <= 3600:
            raise CommandError("--seconds must be in (0, 3600].")
        try:
            inst = vrp.read_solomon(file)
        except (OSError, ValueError, IndexError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from None
        plan = vrp.solve(inst.problem, seconds=seconds, seed=seed)
        feasible = plan.valid and not plan.solver_violations and not plan.unplanned
        for r in plan.routes:
            self.stdout.write(f"{r.vehicle}: " + " ".join(s.job for s in r.stops))
        if plan.unplanned:
            self.stdout.write(f"unserved: {' '.join(sorted(plan.unplanned))}")
        self.stdout.write(f"{inst.name}: {len(inst.problem.jobs)} customers, {plan.runtime:.1f} s")
        self.stdout.write(
            f"vehicles={len(plan.routes)} distance={vrp.exact_distance(inst, plan):.2f} "
            f"feasible={'true' if feasible else 'false'}"
        )
