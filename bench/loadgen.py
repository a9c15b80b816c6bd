"""HTTP load generator, run as its own process: `python -m bench.loadgen SPEC.json`.

Standard library only (http.client in threads, one keep-alive connection per thread; the
connection is reopened whenever the server closes it, as gunicorn's sync workers do).
Prints one JSON object with the measurements on stdout.

Modes:
  intake  POST /api/v1/orders `count` times from `concurrency` threads, unique source_ref each.
  get     GET each of `paths` `runs` times, one request at a time (latency, not throughput).
"""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time
import zlib
from collections import Counter
from typing import Any

CATEGORIES = ("air_conditioner", "washing_machine", "refrigerator", "television", "water_heater")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = (len(s) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def summary_ms(latencies: list[float]) -> dict[str, float]:
    ms = [x * 1000 for x in latencies]
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 2),
        "p90_ms": round(percentile(ms, 90), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "max_ms": round(max(ms), 2) if ms else float("nan"),
    }


class Client:
    def __init__(self, host: str, port: int, headers: dict[str, str]) -> None:
        self.conn = http.client.HTTPConnection(host, port, timeout=60)
        self.headers = headers
        self.reconnects = 0

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        headers = dict(self.headers)
        if body is not None:
            headers["Content-Type"] = "application/json"
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                resp = self.conn.getresponse()
                data = resp.read()
                if resp.will_close:
                    self.conn.close()
                    self.reconnects += 1
                return resp.status, data
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")


def order_body(prefix: str, n: int, reuse_phone: int | None) -> dict[str, Any]:
    phone = (
        f"138{reuse_phone:08d}"
        if reuse_phone
        else f"139{(zlib.crc32(prefix.encode()) + n) % 10**8:08d}"
    )
    return {
        "source": "web",
        "source_ref": f"{prefix}-{n}",
        "customer": {
            "name": f"HTTP customer {n}",
            "phones": [phone],
            "address": f"No. {n} Xianggang Middle Road",
            "region": "Qingdao",
        },
        "product": {
            "category": CATEGORIES[n % len(CATEGORIES)],
            "brand": "Haier",
            "model": "KFR-35GW",
            "serial": f"{prefix}-SN{n}",
        },
        "service_type": "repair",
        "service_mode": "on_site",
        "fault": "Makes a noise and does not cool.",
    }


def run_intake(spec: dict[str, Any]) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {spec['token']}", "Host": spec["host"]}
    count, conc, prefix = spec["count"], spec["concurrency"], spec["prefix"]
    reuse_every = spec.get("reuse_every", 0)  # every k-th order reuses a seeded customer
    customers = max(1, spec.get("customers", 1))
    lock = threading.Lock()
    nxt = iter(range(count))
    lat: list[float] = []
    statuses: Counter[int] = Counter()
    samples: list[str] = []
    reconnects = [0]
    # batch > 0: each request carries `batch` orders to POST /api/v1/orders/batch.
    batch = spec.get("batch", 0)
    created = [0]
    path, ok = ("/api/v1/orders/batch", 200) if batch else ("/api/v1/orders", 201)

    def one(n: int) -> dict[str, Any]:
        reuse = 1 + (n * 7919) % customers if reuse_every and n % reuse_every == 0 else None
        return order_body(prefix, n, reuse)

    def worker() -> None:
        cl = Client(spec["host"], spec["port"], headers)
        while True:
            with lock:
                n = next(nxt, None)
            if n is None:
                break
            if batch:
                payload: Any = {"orders": [one(n * batch + k) for k in range(batch)]}
            else:
                payload = one(n)
            body = json.dumps(payload).encode()
            t = time.perf_counter()
            try:
                status, data = cl.request("POST", path, body)
            except OSError as e:
                status, data = 599, str(e).encode()
            dt = time.perf_counter() - t
            made = 0
            if status == ok:
                made = len(json.loads(data)["created"]) if batch else 1
            with lock:
                lat.append(dt)
                statuses[status] += 1
                created[0] += made
                if (status != ok or (batch and made != batch)) and len(samples) < 5:
                    samples.append(f"{status}: {data[:300].decode(errors='replace')}")
        with lock:
            reconnects[0] += cl.reconnects

    threads = [threading.Thread(target=worker) for _ in range(conc)]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - t0
    errors = sum(v for k, v in statuses.items() if k != ok)
    return {
        "requests": len(lat),
        "batch": batch,
        "orders_created": created[0],
        "orders_per_s": round(created[0] / elapsed, 1),
        "concurrency": conc,
        "elapsed_s": round(elapsed, 2),
        "rps": round(len(lat) / elapsed, 1),
        "errors": errors,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "reconnects": reconnects[0],
        "error_samples": samples,
        **summary_ms(lat),
    }


def run_get(spec: dict[str, Any]) -> dict[str, Any]:
    headers = {"Host": spec["host"], **spec.get("headers", {})}
    cl = Client(spec["host"], spec["port"], headers)
    out: dict[str, Any] = {}
    for name, path in spec["paths"].items():
        for _ in range(spec.get("warmup", 2)):
            cl.request("GET", path)
        lat: list[float] = []
        statuses: Counter[int] = Counter()
        size = 0
        for _ in range(spec["runs"]):
            t = time.perf_counter()
            status, data = cl.request("GET", path)
            lat.append(time.perf_counter() - t)
            statuses[status] += 1
            size = len(data)
        out[name] = {
            "path": path,
            "errors": sum(v for k, v in statuses.items() if k != 200),
            "statuses": {str(k): v for k, v in statuses.items()},
            "bytes": size,
            **summary_ms(lat),
        }
    return out


def main() -> None:
    with open(sys.argv[1]) as fh:
        spec = json.load(fh)
    result = run_intake(spec) if spec["mode"] == "intake" else run_get(spec)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
