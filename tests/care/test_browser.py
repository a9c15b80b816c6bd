"""My-day list at 360 px in headless Chromium: no sideways scrolling, one-click logging."""

from __future__ import annotations

from django.utils import timezone

from aftersales.accounts.models import Outlet, User
from aftersales.care.jobs import run_schedules
from aftersales.care.models import Task
from aftersales.customers.models import Customer, CustomerPhone
from tests.chromium import NEEDS_CHROMIUM, login

pytestmark = NEEDS_CHROMIUM


def test_my_day_at_360px_logs_a_call_in_one_click(chromium, live_server, reference_data):
    outlet = Outlet.objects.create(code="qd-01", name="Qingdao 1", region="Qingdao", market_tier=1)
    clerk = User.objects.create_user("clerk", password="pw", outlet=outlet, roles=["clerk"])
    for i in range(3):
        c = Customer.objects.create(
            name=f"很长的客户名字 Customer number {i}",
            care_class="A",
            tracker=clerk,
            next_contact_due=timezone.localdate(),
        )
        CustomerPhone.objects.create(customer=c, number=f"+8613800{i:06d}")
    run_schedules()
    base = live_server.url
    page = chromium.new_page(viewport={"width": 360, "height": 740}, locale="en-US")
    login(page, base, "clerk")
    page.goto(f"{base}/care/")
    assert page.locator("li.task").count() == 3
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width
    with page.expect_navigation():
        page.locator("li.task").first.get_by_role("button", name="Done: reached").click()
    assert page.locator("li.task").count() == 2
    assert Task.objects.filter(open=False).count() == 1
