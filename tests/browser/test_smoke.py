"""Smoke test of the main pages in headless Chromium (Debian's package, driven by Playwright)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from aftersales.accounts.models import Outlet, User
from tests.chromium import NEEDS_CHROMIUM, login

pytestmark = NEEDS_CHROMIUM


@pytest.fixture
def network(reference_data):
    outlet = Outlet.objects.create(code="qd-01", name="Qingdao 1", region="Qingdao", market_tier=1)
    User.objects.create_user("clerk", password="pw", outlet=outlet, roles=["clerk"])
    User.objects.create_user(
        "tech", password="pw", outlet=outlet, roles=["technician"], display_name="王师傅"
    )
    return outlet


def test_o1_o5_o6_clerk_receives_assigns_and_books_in_browser(
    chromium, live_server, network, tmp_path
):
    base = live_server.url
    page = chromium.new_page(locale="en-US")
    login(page, base, "clerk")
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")

    page.goto(f"{base}/orders/new/")
    page.fill("input[name=customer_name]", "王芳")
    page.fill("input[name=phones]", "138 0013 800")  # one digit short: refused next to the field
    page.fill("input[name=address]", "青岛市市南区香港中路8号")
    page.select_option("select[name=category]", "air_conditioner")
    page.select_option("select[name=service_type]", "repair")
    page.select_option("select[name=source]", "phone")
    page.click("main form button[type=submit]")
    err = page.locator("label:has(input[name=phones]) .field-error")
    assert err.is_visible()

    page.fill("input[name=phones]", "138 0013 8000")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/orders/SO*/")
    assert page.locator("[data-testid=status]").inner_text().strip() == "Received"

    page.click("summary:has-text('Assign')")
    page.select_option("select[name=technician]", "tech")
    page.click("details[open] button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[data-testid=status]").inner_text().strip() == "Assigned"

    start = timezone.localtime() + timedelta(days=1)
    start = start.replace(hour=10, minute=0)
    page.click("summary:has-text('Agree a window')")
    page.fill("details[open] input[name=start]", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("details[open] input[name=end]", start.replace(hour=16).strftime("%Y-%m-%dT%H:%M"))
    page.click("details[open] button[type=submit]")
    # A six-hour "window" is a half-day: refused with the reason next to the field (O-6).
    assert page.locator("details[open] .field-error").first.is_visible()
    page.fill("details[open] input[name=start]", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("details[open] input[name=end]", start.replace(hour=12).strftime("%Y-%m-%dT%H:%M"))
    page.click("details[open] button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[data-testid=status]").inner_text().strip() == "Appointment agreed"
    assert page.locator(".timeline li").count() == 3
    page.screenshot(path=str(tmp_path / "detail.png"), full_page=True)

    page.goto(f"{base}/orders/backlog/")
    assert page.locator("h1").is_visible()
    page.goto(f"{base}/orders/")
    assert page.locator("table.orders tbody tr").count() == 1


def test_i18n_language_switch_and_phone_width(chromium, live_server, network):
    base = live_server.url
    page = chromium.new_page(viewport={"width": 360, "height": 740})
    login(page, base, "tech")
    with page.expect_navigation():
        page.select_option("select[name=language]", "ko")
    assert page.locator("html").get_attribute("lang") == "ko"
    with page.expect_navigation():
        page.select_option("select[name=language]", "zh-hans")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    # Nothing on the technician's page is wider than a 360-px phone.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
