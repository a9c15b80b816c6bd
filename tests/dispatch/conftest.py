from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from aftersales.accounts.models import User
from aftersales.dispatch.models import TechnicianProfile
from tests.flows.helpers import T0, frozen, receive

QD = (36.0671, 120.3826)


@pytest.fixture
def disp(make_user: Callable[..., User]) -> User:
    return make_user("disp", "dispatcher", "clerk")


def profile(user: User, *cats: str, home: tuple[float, float] = QD, **kw: Any) -> TechnicianProfile:
    return TechnicianProfile.objects.create(
        user=user,
        skills=[{"category": c, "level": 2} for c in cats],
        home_latitude=home[0],
        home_longitude=home[1],
        **kw,
    )


@pytest.fixture
def techs(tech: User, tech2: User) -> tuple[User, User]:
    profile(tech, "air_conditioner", "refrigerator")
    profile(tech2, "television", home=(36.09, 120.41))
    return tech, tech2


@pytest.fixture
def new_order(api: Any, clerk: User) -> Callable[..., str]:
    client = api(clerk)
    seq = iter(range(1, 10_000))

    def make(
        category: str = "air_conditioner",
        lat: float | None = 36.08,
        lon: float | None = 120.40,
        **over: Any,
    ) -> str:
        n = next(seq)
        customer: dict[str, Any] = {"phones": [f"1380013{n:04d}"]}
        if lat is not None:
            customer.update(latitude=lat, longitude=lon)
        with frozen(T0):
            out = receive(
                client,
                source_ref=f"D-{n}",
                customer=customer,
                product={"category": category, "serial": f"SN-D{n}"},
                **over,
            )
        return str(out["number"])

    return make
