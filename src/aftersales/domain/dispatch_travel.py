"""Travel between sites: distance (metres or plane units) and duration (seconds or units).

The planner only talks to `TravelModel`; a road-network matrix can replace the
straight-line model by implementing the same two methods.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

IntMatrix = npt.NDArray[np.int64]
EARTH_RADIUS_M = 6_371_000.0


@dataclass(frozen=True)
class Site:
    """A point: (latitude, longitude) for the network, (x, y) for plane instances."""

    x: float
    y: float


class TravelModel(Protocol):
    def matrices(self, sites: Sequence[Site]) -> tuple[IntMatrix, IntMatrix]:
        """(distance, duration) between every pair of sites, as integers."""
        ...

    def between(self, a: Site, b: Site) -> tuple[int, int]:
        """(distance, duration) from a to b."""
        ...


@dataclass(frozen=True)
class StraightLineTravel:
    """Great-circle distance × a road factor, driven at an average speed (both editable)."""

    road_factor: float = 1.3
    speed_kmh: float = 30.0

    def matrices(self, sites: Sequence[Site]) -> tuple[IntMatrix, IntMatrix]:
        if not sites:
            empty = np.zeros((0, 0), dtype=np.int64)
            return empty, empty.copy()
        lat = np.radians(np.array([s.x for s in sites], dtype=np.float64))
        lon = np.radians(np.array([s.y for s in sites], dtype=np.float64))
        dlat = lat[:, None] - lat[None, :]
        dlon = lon[:, None] - lon[None, :]
        h = (
            np.sin(dlat / 2) ** 2
            + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlon / 2) ** 2
        )
        metres = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))) * self.road_factor
        dist = np.rint(metres).astype(np.int64)
        dur = np.ceil(metres / (self.speed_kmh * 1000 / 3600)).astype(np.int64)
        return dist, dur

    def between(self, a: Site, b: Site) -> tuple[int, int]:
        metres = haversine_m(a, b) * self.road_factor
        return round(metres), math.ceil(metres / (self.speed_kmh * 1000 / 3600))


@dataclass(frozen=True)
class EuclideanTravel:
    """Plane distance (Solomon instances): one unit of distance takes one unit of time.

    Values are scaled by `scale` to integers; durations round up, so a schedule that is
    feasible in integers is feasible in exact arithmetic too.
    """

    scale: int = 100

    def matrices(self, sites: Sequence[Site]) -> tuple[IntMatrix, IntMatrix]:
        xy = np.array([[s.x, s.y] for s in sites], dtype=np.float64).reshape(-1, 2)
        d = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2)) * self.scale
        return np.rint(d).astype(np.int64), np.ceil(d - 1e-9).astype(np.int64)

    def between(self, a: Site, b: Site) -> tuple[int, int]:
        d = math.hypot(a.x - b.x, a.y - b.y) * self.scale
        return round(d), math.ceil(d - 1e-9)


def haversine_m(a: Site, b: Site) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (a.x, a.y, b.x, b.y))
    h = (
        math.sin((la2 - la1) / 2) ** 2
        + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, max(0.0, h))))


class Geocoder(Protocol):
    """Turns an address into a site; no internet geocoder is reachable, so the default
    finds nothing and orders keep the coordinates they were entered or imported with."""

    def locate(self, address: str, region: str) -> Site | None: ...


class NullGeocoder:
    def locate(self, address: str, region: str) -> Site | None:
        return None
