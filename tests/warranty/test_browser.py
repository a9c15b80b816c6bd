"""The technician's phone pages at 360 px in headless Chromium: no sideways scrolling."""

from __future__ import annotations

import importlib

from django.apps import apps

from aftersales.accounts.models import Outlet, User
from tests.chromium import NEEDS_CHROMIUM, login

pytestmark = NEEDS_CHROMIUM


def test_s2_s3_phone_pages_fit_360px(chromium, live_server, reference_data):
    importlib.import_module("aftersales.warranty.migrations.0002_seed_defaults").seed(apps, None)
    outlet = Outlet.objects.create(code="qd-01", name="Qingdao 1", market_tier=1)
    User.objects.create_user(
        "tech", password="pw", outlet=outlet, roles=["technician"], display_name="王师傅"
    )
    page = chromium.new_page(viewport={"width": 360, "height": 780}, locale="en-US")
    login(page, live_server.url, "tech")
    for path in ("/warranty/scorecards/", "/warranty/expenses/", "/warranty/returns/"):
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
    page.goto(live_server.url + "/warranty/scorecards/")
    assert "/warranty/scorecards/tech/" in page.url
    assert page.locator("[data-testid=jobs]").inner_text() == "0"
