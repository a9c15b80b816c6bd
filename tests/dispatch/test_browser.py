"""D-4 on a 360-px phone and the day board's drag and drop, in headless Chromium."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from aftersales.accounts.models import Outlet, User
from aftersales.dispatch.models import PlanLine, TechnicianProfile
from aftersales.orders.models import Order
from tests.chromium import NEEDS_CHROMIUM, login
from tests.conftest import Api
from tests.flows.helpers import order_body

pytestmark = NEEDS_CHROMIUM


@pytest.fixture
def network(reference_data):
    outlet = Outlet.objects.create(code="qd-01", name="Qingdao 1", region="Qingdao", market_tier=1)
    disp = User.objects.create_user("disp", password="pw", outlet=outlet, roles=["dispatcher"])
    for name, cats in (("tech", ["air_conditioner"]), ("tech2", ["air_conditioner"])):
        u = User.objects.create_user(name, password="pw", outlet=outlet, roles=["technician"])
        TechnicianProfile.objects.create(
            user=u,
            skills=cats,
            home_latitude=36.0671,
            home_longitude=120.3826,
            shifts={
                d: ["00:00", "23:59"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
            },
        )
    return disp


def _order(api, ref):
    body = order_body(
        source_ref=ref, customer={"latitude": 36.08, "longitude": 120.40, "phones": ["13800138000"]}
    )
    r = api.post("/orders", body)
    assert r.status_code == 201, r.content
    return r.json()["number"]


@pytest.fixture
def mid_morning():
    """Today 10:00 local, ticking: a window one hour ahead stays within today at any hour
    the suite runs (at 22:10 it would cross midnight and be refused, O-6)."""
    import time_machine

    at = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    with time_machine.travel(at, tick=True):
        yield


def test_d4_phone_page_at_360px_arrive_and_call(chromium, live_server, network, mid_morning):
    api = Api(network)
    n = _order(api, "B-1")
    start = timezone.localtime().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    assert api.post(f"/orders/{n}/assign", {"technician": "tech"}).status_code == 200
    r = api.post(
        f"/orders/{n}/appointment",
        {
            "start": start.isoformat(),
            "end": (start + timedelta(hours=1)).isoformat(),
            "agreed_by": "customer",
        },
    )
    assert r.status_code == 200, r.content
    assert (
        Api(User.objects.get(username="tech")).post(f"/orders/{n}/start-travel", {}).status_code
        == 200
    )

    page = chromium.new_page(viewport={"width": 360, "height": 740}, locale="en-US")
    login(page, live_server.url, "tech")
    page.goto(f"{live_server.url}/dispatch/my-day/")
    assert page.locator(f"#job-{n}").is_visible()
    assert page.locator(f"#job-{n} a[href^='tel:']").count() == 1
    assert page.locator(f"#job-{n} a[href^='geo:']").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.click(f"#job-{n} .acts button[type=submit]")
    page.wait_for_load_state()
    assert Order.objects.get(number=n).arrived_at is not None
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_d2_day_board_drag_and_drop(chromium, live_server, network):
    api = Api(network)
    n = _order(api, "B-2")
    day = timezone.localdate() + timedelta(days=1)
    r = api.post("/dispatch/plans", {"day": day.isoformat(), "seconds": 0.5})
    assert r.status_code == 201, r.content
    line = PlanLine.objects.get(order__number=n)
    other = "tech2" if line.technician.username == "tech" else "tech"

    page = chromium.new_page(viewport={"width": 1280, "height": 800}, locale="en-US")
    login(page, live_server.url, "disp")
    page.goto(f"{live_server.url}/dispatch/board/?outlet=qd-01&day={day.isoformat()}")
    job = page.locator(f".job[data-line='{line.pk}']")
    assert job.is_visible()
    with page.expect_navigation():
        job.drag_to(page.locator(f".lane[data-tech='{other}']"))
    line.refresh_from_db()
    assert line.technician.username == other
    assert page.locator(f".lane[data-tech='{other}'] .job[data-line='{line.pk}']").count() == 1
