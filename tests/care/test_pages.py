"""Care pages: my day with one-click logging, the customer file, the log, events, overview;
query counts of the my-day list do not grow with tasks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from aftersales.care.jobs import run_schedules
from aftersales.care.models import Contact, Event, Task
from aftersales.customers.models import Customer, CustomerPhone, CustomerProduct
from tests.care.helpers import care_counts
from tests.flows.helpers import T0, frozen

pytestmark = pytest.mark.django_db


def _login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _due(n, tracker, start=0):
    for i in range(start, start + n):
        c = Customer.objects.create(
            name=f"客户{i}", care_class="A", tracker=tracker, next_contact_due=T0.date()
        )
        CustomerPhone.objects.create(customer=c, number=f"+8613800{i:06d}")
    run_schedules(now=T0)


def test_my_day_page_lists_due_tasks_and_logs_in_one_click(clerk):
    _due(2, clerk)
    page = _login(clerk)
    with frozen(T0):
        r = page.get("/care/")
        assert r.status_code == 200
        html = r.content.decode()
        assert "客户0" in html and "客户1" in html and 'href="tel:+8613800000000"' in html
        t = Task.objects.order_by("pk").first()
        r = page.post("/care/", {"task": t.pk, "outcome": "reached"})
        assert r.status_code == 302
    t.refresh_from_db()
    assert not t.open and Contact.objects.get(task=t).purpose == "care"


def test_my_day_page_shows_refusal_and_writes_nothing(clerk):
    _due(1, clerk)
    t = Task.objects.get()
    Task.objects.filter(pk=t.pk).update(open=False)
    before = care_counts()
    with frozen(T0):
        r = _login(clerk).post("/care/", {"task": t.pk, "outcome": "reached"})
    assert r.status_code == 200 and "already done" in r.content.decode()
    assert care_counts() == before


def test_my_day_queries_do_not_grow_with_tasks(clerk):
    _due(3, clerk)
    page = _login(clerk)
    with frozen(T0), CaptureQueriesContext(connection) as small:
        page.get("/care/")
    _due(20, clerk, start=100)
    with frozen(T0), CaptureQueriesContext(connection) as big:
        page.get("/care/")
    assert len(big) == len(small)


def test_customer_file_page_edits_file_product_and_logs_contact(clerk, manager):
    c = Customer.objects.create(name="王芳", address="青岛", tracker=clerk)
    p = CustomerProduct.objects.create(customer=c, category="vehicle", plate="鲁B1")
    page = _login(clerk)
    with frozen(T0):
        assert page.get(f"/care/customers/{c.pk}/").status_code == 200
        r = page.post(
            f"/care/customers/{c.pk}/",
            {"form": "file", "name": "王芳", "care_class": "B", "services_wanted": "保养"},
        )
        assert r.status_code == 302
        r = page.post(
            f"/care/customers/{c.pk}/",
            {
                "form": "product",
                "product": p.pk,
                "maintenance_interval_days": "180",
                "last_service_on": "2026-12-01",
            },
        )
        assert r.status_code == 302
        r = page.post(
            f"/care/customers/{c.pk}/",
            {
                "form": "contact",
                "channel": "phone_in",
                "purpose": "consultation",
                "key_points": "问保养",
            },
        )
        assert r.status_code == 302
        r = page.post(f"/care/customers/{c.pk}/", {"form": "file", "care_class": "Q"})
        assert r.status_code == 200 and "A, B or C" in r.content.decode()
    c.refresh_from_db()
    p.refresh_from_db()
    assert c.care_class == "B" and c.services_wanted == "保养"
    assert str(p.next_maintenance_due) == "2027-05-30"
    assert Contact.objects.filter(customer=c).count() == 1
    assert _login(manager).get("/care/customers/999999/").status_code == 404


def test_contact_log_page_filters_and_exports(manager):
    c = Customer.objects.create(name="甲", address="青岛")
    with frozen(T0):
        Contact.objects.create(
            customer=c, at=T0, channel="phone_in", purpose="complaint", outcome="reached"
        )
        Contact.objects.create(
            customer=c, at=T0, channel="letter_out", purpose="other", outcome="sent"
        )
    page = _login(manager)
    html = page.get("/care/contacts/", {"purpose": "complaint"}).content.decode()
    assert html.count('href="/care/customers/') == 1
    for form in ("file", "record", "register", "letters"):
        r = page.get(f"/care/contacts/{form}.xlsx")
        assert r.status_code == 200 and r.content[:2] == b"PK"
    assert page.get("/care/contacts/nope.xlsx").status_code == 404


def test_events_page_creates_and_refuses_past_event(manager):
    Customer.objects.create(name="甲", address="青岛", care_class="A")
    page = _login(manager)
    with frozen(T0):
        r = page.post(
            "/care/events/",
            {"title": "免费检测", "starts_on": "2027-01-10", "place": "店", "care_class": "A"},
        )
        assert r.status_code == 302
        r = page.post("/care/events/", {"title": "旧", "starts_on": "2026-01-10", "place": "店"})
        assert r.status_code == 200
    assert Event.objects.count() == 1 and Task.objects.filter(kind="event_call").count() == 1
    assert page.get("/care/overview/").status_code == 200
    with frozen(T0 + timedelta(days=1)):
        r = page.post("/care/events/", {"send": Event.objects.get().pk, "backend": "console"})
    assert r.status_code == 302


@pytest.mark.parametrize("path", ["/customers", "/contacts", "/contacts/my-day"])
def test_api_lists_queries_do_not_grow_with_rows(api, manager, clerk, path):
    def make(n, start):
        for i in range(start, start + n):
            c = Customer.objects.create(
                name=f"客户{i}", care_class="A", tracker=clerk, next_contact_due=T0.date()
            )
            CustomerPhone.objects.create(customer=c, number=f"+8613900{i:06d}")
            CustomerProduct.objects.create(customer=c, category="vehicle", plate=f"P{i}")
            Contact.objects.create(
                customer=c,
                at=T0,
                channel="phone_out",
                purpose="care",
                outcome="reached",
                actor=clerk,
            )
        run_schedules(now=T0)

    who = api(clerk if path.endswith("my-day") else manager)
    make(2, 0)
    with frozen(T0):
        who.get(path)  # the token's first use is recorded once
    with frozen(T0), CaptureQueriesContext(connection) as small:
        assert who.get(path).status_code == 200
    make(15, 100)
    with frozen(T0), CaptureQueriesContext(connection) as big:
        assert who.get(path).status_code == 200
    assert len(big) == len(small), [q["sql"][:120] for q in big.captured_queries]
