from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from aftersales.orders.models import Order
from tests.flows.helpers import T0, frozen, receive

# Every order of these tests is received in December 2026; figures are read on the 20th.
MONTH = "2026-12"
READ_AT = T0 + timedelta(days=13)


@pytest.fixture
def supervisor(make_user):
    return make_user("sup", "supervisor")


@pytest.fixture
def build(api, clerk):
    """Receive an order through the API at T0 (+ `at`), then give it the facts a test needs
    (timestamps and verdicts the order rules would have written)."""
    c = api(clerk)
    seq = iter(range(1, 10_000))

    def make(at: timedelta = timedelta(0), client: Any = None, **facts: Any) -> Order:
        i = next(seq)
        with frozen(T0 + at):
            n = receive(client or c, source_ref=f"K{i}", product={"serial": f"K{i}"})["number"]
        if facts:
            Order.objects.filter(number=n).update(**facts)
        return Order.objects.get(number=n)

    return make


def figs(resp: Any) -> dict[str, dict[str, Any]]:
    assert resp.status_code == 200, resp.content[:500]
    return {f["id"]: f for f in resp.json()["figures"]}


def read(client: Any, **params: Any) -> dict[str, dict[str, Any]]:
    with frozen(READ_AT):
        return figs(client.get("/kpis", month=MONTH, **params))


@pytest.fixture(autouse=True)
def _fresh_figure_cache():
    """Computed figures are cached (KpiPolicy.cache_seconds); a test starts without them."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
