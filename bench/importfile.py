"""The bulk-import CSV: unique source_refs, ~30% of rows reuse a seeded customer's phone."""

from __future__ import annotations

import csv
from pathlib import Path

from .config import OUTLETS

CATEGORIES = (
    "air_conditioner",
    "washing_machine",
    "refrigerator",
    "television",
    "water_heater",
    "dishwasher",
    "vehicle",
)
SERVICE_TYPES = ("repair", "repair", "install", "maintenance", "inspection")
SERVICE_MODES = ("on_site", "on_site", "on_site", "carry_in_one_way", "pickup")


def write_csv(path: Path, rows: int, *, prefix: str, customers: int, reuse: float = 0.3) -> int:
    """Write `rows` orders; returns how many rows reuse a seeded customer's phone."""
    from aftersales.orders.importer import COLUMNS

    reuse_every = round(1 / reuse) if reuse else 0
    reused = 0
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        for n in range(rows):
            # ~30%: every third or so row (deterministic) reuses seeded customer k's phone.
            if reuse_every and (n * 10) % 33 < 10:
                k = 1 + (n * 104729) % max(1, customers)
                phone = f"138{k:08d}"  # national format: the importer normalises it
                reused += 1
            else:
                phone = f"137{(hash_prefix(prefix) + n) % 10**8:08d}"
            w.writerow(
                {
                    "source": "call_centre",
                    "source_ref": f"{prefix}-{n}",
                    "outlet": f"o-{1 + n % OUTLETS:02d}",
                    "customer_name": f"Import customer {n}",
                    "phones": phone,
                    "address": f"No. {n} Ningxia Road, Qingdao",
                    "region": "Qingdao",
                    "category": CATEGORIES[n % len(CATEGORIES)],
                    "brand": "Haier",
                    "model": f"M-{n % 50}",
                    "serial": f"{prefix}-SN{n}",
                    "purchase_date": "2025-06-01",
                    "service_type": SERVICE_TYPES[n % len(SERVICE_TYPES)],
                    "service_mode": SERVICE_MODES[n % len(SERVICE_MODES)],
                    "fault": "Leaks water",
                    "requested_at": "",
                    "remarks": "",
                    "market_tier": "",
                    "priority": "normal",
                }
            )
    return reused


def hash_prefix(prefix: str) -> int:
    import zlib

    return zlib.crc32(prefix.encode())
