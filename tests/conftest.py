"""Shared fixtures: people of a small network, an API client with bearer tokens, frozen time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from aftersales.accounts.models import ApiToken, Outlet, User

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def chromium() -> Any:
    """A headless Chromium (see tests/chromium.py)."""
    from tests.chromium import launch

    yield from launch()


@pytest.fixture(autouse=True)
def _fresh_reference_cache() -> Any:
    """A rolled-back test sends no post_save: forget cached reference tables around each test."""
    from aftersales.api.auth import forget_tokens
    from aftersales.core.refcache import clear_all

    clear_all()
    forget_tokens()
    yield
    clear_all()
    forget_tokens()


def local(y: int, m: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=TZ)


@pytest.fixture
def outlet(db: Any) -> Outlet:
    return Outlet.objects.create(code="qd-01", name="Qingdao 1", region="Qingdao", market_tier=1)


@pytest.fixture
def other_outlet(db: Any) -> Outlet:
    return Outlet.objects.create(code="jn-03", name="Jinan 3", region="Jinan", market_tier=3)


@pytest.fixture
def make_user(db: Any, outlet: Outlet) -> Callable[..., User]:
    def make(username: str, *roles: str, outlet: Outlet | None = outlet, **kw: Any) -> User:
        u = User.objects.create_user(
            username=username, password="pw", outlet=outlet, roles=list(roles), **kw
        )
        return u

    return make


@pytest.fixture
def clerk(make_user: Callable[..., User]) -> User:
    return make_user("clerk", "clerk")


@pytest.fixture
def tech(make_user: Callable[..., User]) -> User:
    return make_user("tech", "technician")


@pytest.fixture
def tech2(make_user: Callable[..., User]) -> User:
    return make_user("tech2", "technician")


@pytest.fixture
def manager(make_user: Callable[..., User]) -> User:
    return make_user("boss", "manager", outlet=None)


class Api:
    """A Django test client speaking JSON with a bearer token."""

    def __init__(self, user: User) -> None:
        _, self.token = ApiToken.issue(user)
        self.client = Client()

    def _h(self, headers: dict[str, str] | None) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}", **(headers or {})}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get("/api/v1" + path, params, **self._h(None))

    def post(self, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        import json

        data = body if isinstance(body, (str, bytes)) else json.dumps(body or {}, default=str)
        return self.client.post(
            "/api/v1" + path, data, content_type="application/json", **self._h(headers)
        )


@pytest.fixture
def api() -> Callable[[User], Api]:
    return Api


@pytest.fixture
def reference_data(transactional_db: Any) -> None:
    """Transactional tests run on a flushed database: put the seeded code tables back."""
    import importlib

    from django.apps import apps

    seed = importlib.import_module("aftersales.orders.migrations.0002_seed_reference_data").seed
    seed(apps, None)
