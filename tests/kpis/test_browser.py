"""The dashboard in headless Chromium: the vendored Chart.js draws every chart canvas, with
no console error, and the page fits 360 px."""

from __future__ import annotations

import importlib

from django.apps import apps

from aftersales.accounts.models import Outlet, User
from tests.chromium import NEEDS_CHROMIUM, login
from tests.conftest import Api
from tests.flows.helpers import receive

pytestmark = NEEDS_CHROMIUM


def test_k2_dashboard_draws_charts_without_console_errors(chromium, live_server, reference_data):
    importlib.import_module("aftersales.kpis.migrations.0002_seed_targets_indexes").seed(apps, None)
    importlib.import_module("aftersales.warranty.migrations.0002_seed_defaults").seed(apps, None)
    outlet = Outlet.objects.create(code="qd-01", name="Qingdao 1", region="Qingdao", market_tier=1)
    clerk = User.objects.create_user("clerk", password="pw", outlet=outlet, roles=["clerk"])
    User.objects.create_user("sup", password="pw", outlet=outlet, roles=["supervisor"])
    c = Api(clerk)
    for i in range(3):
        receive(c, source_ref=f"B{i}", product={"serial": f"B{i}"})
    page = chromium.new_page(viewport={"width": 360, "height": 780}, locale="en-US")
    errors: list[str] = []
    bad: list[str] = []
    # A failed load shows as a console error without its URL: failed responses are checked
    # by URL instead (the browser's own /favicon.ico probe is not the page's).
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "response",
        lambda r: bad.append(r.url) if r.status >= 400 and "favicon" not in r.url else None,
    )
    login(page, live_server.url, "sup")
    page.goto(live_server.url + "/kpis/")
    page.wait_for_function("window.Chart && Chart.getChart('chart-trend') !== undefined")
    drawn = page.evaluate(
        "['chart-trend','chart-outlets','chart-techs'].map(id => !!Chart.getChart(id))"
    )
    assert drawn == [True, True, True]
    assert page.locator("[data-kpi=orders_received] .kpi-value").inner_text().startswith("3")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert errors == [] and bad == []
    page.locator("[data-kpi=orders_received] .kpi-drill").click()
    page.wait_for_url("**/kpis/orders/**")
    assert page.locator("table.orders tbody tr").count() == 3
