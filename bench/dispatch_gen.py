"""A generated, realistic network day for the planner: orders with 2-hour windows around
three outlets, technicians with skill sets, home bases and shifts (no database)."""

from __future__ import annotations

import random

from aftersales.domain import dispatch as rules
from aftersales.domain import dispatch_vrp as vrp
from aftersales.domain.dispatch_travel import Site, StraightLineTravel

H = 3600
CENTRES = {"qd-01": (36.0671, 120.3826), "jn-03": (36.6758, 117.0211), "se-01": (37.5013, 127.0396)}
SKILLS = [
    "air_conditioner",
    "washing_machine",
    "refrigerator",
    "television",
    "water_heater",
    "dishwasher",
]
# Trades: the skill sets technicians actually hold (each covers 2–3 of the 6 skills).
TRADES = [
    ("air_conditioner", "refrigerator"),
    ("washing_machine", "dishwasher"),
    ("television", "water_heater"),
    ("air_conditioner", "water_heater", "refrigerator"),
    ("washing_machine", "dishwasher", "television"),
    ("refrigerator", "washing_machine"),
]
MINUTES = {  # on-site minutes by category (the seeded table's repair row)
    "air_conditioner": 60,
    "washing_machine": 45,
    "refrigerator": 60,
    "television": 40,
    "water_heater": 45,
    "dishwasher": 45,
}
POLICY = rules.DEFAULT_DISPATCH_POLICY


def network_day(
    orders: int = 2000, technicians: int = 100, *, seed: int = 11, radius_km: float = 12.0
) -> vrp.Problem:
    rnd = random.Random(seed)
    outlets = list(CENTRES)
    deg = radius_km / 111.0

    def around(code: str) -> Site:
        lat, lon = CENTRES[code]
        return Site(lat + rnd.uniform(-deg, deg), lon + rnd.uniform(-deg, deg) * 1.25)

    vehicles = []
    for k in range(technicians):
        code = outlets[k % len(outlets)]
        home = around(code)
        start = rnd.choice([8, 8, 9]) * H
        vehicles.append(
            vrp.Vehicle(
                id=f"tech{k:03d}",
                start=home,
                end=home,
                shift=(start, start + 9 * H),
                skills=frozenset(TRADES[(k // len(outlets)) % len(TRADES)]),
                outlet=code,
                capacity=12,
            )
        )
    jobs = []
    for i in range(orders):
        code = outlets[i % len(outlets)]
        cat = rnd.choice(SKILLS)
        w0 = rnd.choice(range(8, 17)) * H
        priority = rnd.choices(["low", "normal", "high", "urgent"], [1, 12, 3, 1])[0]
        factor = {"urgent": 4.0, "high": 2.0, "low": 0.6}.get(priority, 1.0)
        jobs.append(
            vrp.Job(
                id=f"O{i:05d}",
                site=around(code),
                service=MINUTES[cat] * 60,
                window=(w0, w0 + 2 * H),
                category=cat,
                outlet=code,
                prize=int(POLICY.prize_km * 1000 * factor * 3),
                arrival_rank=i,
            )
        )
    return vrp.Problem(jobs, vehicles, StraightLineTravel(POLICY.road_factor, POLICY.speed_kmh))
