"""run_schedules (idempotent, catch-up), C-7 cadence, C-2 reminders, C-8 loss, C-6."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.core.management import call_command

from aftersales.care.jobs import run_schedules
from aftersales.care.models import CarePolicyRow, Substitution, Task
from aftersales.customers.models import Customer, CustomerPhone, CustomerProduct
from aftersales.domain.care import TaskKind
from tests.care.helpers import care_counts
from tests.flows.helpers import T0, assert_error, frozen

pytestmark = pytest.mark.django_db


def patch(api_obj, path, body):
    return api_obj.client.patch(
        "/api/v1" + path,
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api_obj.token}",
    )


@pytest.fixture
def cust(clerk):
    c = Customer.objects.create(name="张伟", address="青岛市 1 号", region="Qingdao", tracker=clerk)
    CustomerPhone.objects.create(customer=c, number="+8613800138000")
    return c


def test_c7_class_contacts_generated_once_and_next_after_cadence(api, manager, clerk, cust):
    m, c = api(manager), api(clerk)
    with frozen(T0):
        r = patch(m, f"/customers/{cust.pk}", {"care_class": "a"})
        assert r.status_code == 200 and r.json()["care_class"] == "A"
        run_schedules()
        run_schedules()
        tasks = Task.objects.filter(customer=cust, kind=TaskKind.CLASS_CONTACT)
        assert tasks.count() == 1 and tasks[0].due_on == T0.date()
        assert tasks[0].assignee == clerk
        r = c.post("/contacts", {"task": tasks[0].pk, "channel": "visit", "key_points": "ok"})
        assert r.status_code == 201
        cust.refresh_from_db()
        assert cust.next_contact_due == T0.date() + timedelta(days=7)
        run_schedules()
        assert Task.objects.filter(customer=cust, kind=TaskKind.CLASS_CONTACT).count() == 1
    with frozen(T0 + timedelta(days=7)):
        run_schedules()
        assert (
            Task.objects.filter(customer=cust, kind=TaskKind.CLASS_CONTACT, open=True).count() == 1
        )


def test_c7_class_outside_abc_refused_nothing_written(api, manager, cust):
    r = patch(api(manager), f"/customers/{cust.pk}", {"care_class": "D"})
    assert_error(r, 422, "class_invalid")
    cust.refresh_from_db()
    assert cust.care_class == "" and cust.version == 1 and cust.next_contact_due is None


def test_c7_overdue_class_contacts_listed(api, manager, cust):
    m = api(manager)
    with frozen(T0):
        patch(m, f"/customers/{cust.pk}", {"care_class": "B"})
        run_schedules()
    with frozen(T0 + timedelta(days=2)):
        rows = m.get("/customers/overdue-contacts").json()["results"]
    assert [(r["customer"], r["care_class"]) for r in rows] == [(cust.pk, "B")]


def test_run_schedules_catches_up_after_downtime(clerk):
    # Customers fell due over ten days while nothing ran: one run makes every task.
    for i in range(10):
        Customer.objects.create(
            name=f"c{i}",
            care_class="C",
            tracker=clerk,
            next_contact_due=T0.date() - timedelta(days=i),
        )
    Customer.objects.create(
        name="later", care_class="C", next_contact_due=T0.date() + timedelta(days=1)
    )
    with frozen(T0):
        rep = run_schedules(batch=3)  # several batches
    assert rep.created[TaskKind.CLASS_CONTACT] == 10
    with frozen(T0):
        again = run_schedules(batch=3)
    assert again.created.get(TaskKind.CLASS_CONTACT, 0) == 0
    assert Task.objects.count() == 10


def test_run_schedules_natural_key_stops_duplicates_even_if_the_flag_was_lost(clerk):
    c = Customer.objects.create(name="x", care_class="A", next_contact_due=T0.date())
    with frozen(T0):
        run_schedules()
        Customer.objects.filter(pk=c.pk).update(contact_task_open=False)  # a crash between steps
        run_schedules()
    assert Task.objects.filter(customer=c).count() == 1


def test_run_schedules_command(clerk, capsys):
    Customer.objects.create(name="x", care_class="A", next_contact_due=T0.date())
    with frozen(T0):
        call_command("run_schedules")
    assert "class_contact 1" in capsys.readouterr().out


def test_c2_maintenance_reminder_due_days_ahead(api, manager, clerk, cust):
    prod = CustomerProduct.objects.create(customer=cust, category="vehicle", plate="鲁B12345")
    m = api(manager)
    with frozen(T0):
        r = patch(
            m,
            f"/customers/products/{prod.pk}",
            {
                "maintenance_interval_days": 90,
                "maintenance_interval_km": 5000,
                "mileage_km": 12000,
                "last_service_on": "2026-09-30",
            },
        )
        assert r.status_code == 200, r.content
        assert r.json()["next_maintenance_due"] == "2026-12-29"
        assert r.json()["next_maintenance_km"] == 17000
        assert r.json()["kind"] == "vehicle"
        run_schedules()
        assert not Task.objects.filter(kind=TaskKind.MAINTENANCE).exists()
    with frozen(T0 + timedelta(days=8)):  # 2026-12-15 = 14 days ahead
        run_schedules()
        run_schedules()
    t = Task.objects.get(kind=TaskKind.MAINTENANCE)
    assert (t.due_on, t.deadline, t.assignee) == (date(2026, 12, 15), date(2026, 12, 29), clerk)


def test_c2_reminder_days_ahead_editable(cust):
    for row in CarePolicyRow.objects.all():  # saved as in the admin: drops the cache
        for k, v in dict(maintenance_ahead_days=30).items():
            setattr(row, k, v)
        row.save()
    CustomerProduct.objects.create(
        customer=cust,
        category="washing_machine",
        next_maintenance_due=T0.date() + timedelta(days=30),
    )
    with frozen(T0):
        run_schedules()
    assert Task.objects.filter(kind=TaskKind.MAINTENANCE, due_on=T0.date()).count() == 1


def test_c8_lost_customer_gets_a_call_and_causes_are_summarised(api, manager, clerk, cust):
    CustomerProduct.objects.create(
        customer=cust, category="vehicle", next_maintenance_due=T0.date() - timedelta(days=60)
    )
    with frozen(T0):
        run_schedules()
        t = Task.objects.get(kind=TaskKind.LOSS_CALL)
        assert t.assignee == clerk
        m = api(manager)
        assert [r["customer"] for r in m.get("/customers/lost").json()["results"]] == [cust.pk]
        r = api(clerk).post("/contacts", {"task": t.pk, "loss_cause": "moved away"})
        assert r.status_code == 201
        body = m.get("/customers/lost").json()
    assert body["causes"] == {"moved away": 1}
    cust.refresh_from_db()
    assert cust.loss_cause == "moved away"


def test_c8_completed_order_moves_maintenance_so_customer_is_not_lost(api, clerk, tech):
    from tests.care.helpers import completed_order, customer_of

    o = completed_order(api(clerk), api(tech))
    cust = customer_of(o["number"])
    prod = cust.products.get()
    assert prod.last_service_on == T0.date()


def test_c8_loyal_customers_by_visits(api, manager, clerk, tech):
    from tests.care.helpers import completed_order

    for row in CarePolicyRow.objects.all():  # saved as in the admin: drops the cache
        for k, v in dict(loyal_min_visits=2).items():
            setattr(row, k, v)
        row.save()
    completed_order(api(clerk), api(tech), source_ref="A1")
    completed_order(api(clerk), api(tech), source_ref="A2", at=T0 + timedelta(days=1))
    with frozen(T0 + timedelta(days=2)):
        rows = api(manager).get("/customers/loyal").json()["results"]
    assert [r["visits"] for r in rows] == [2]


def test_c6_substitution_moves_due_tasks_and_back(api, manager, make_user, clerk, cust):
    sub = make_user("sub", "clerk")
    with frozen(T0):
        patch(api(manager), f"/customers/{cust.pk}", {"care_class": "A"})
        run_schedules()
        r = api(manager).post(
            "/contacts/substitutions",
            {"tracker": "clerk", "substitute": "sub", "start": "2026-12-07", "end": "2026-12-09"},
        )
        assert r.status_code == 201, r.content
        mine = api(sub).get("/contacts/my-day").json()["results"]
        assert [(x["customer_id"], x["for_tracker"]) for x in mine] == [(cust.pk, "clerk")]
        assert api(clerk).get("/contacts/my-day").json()["results"] == []
    with frozen(T0 + timedelta(days=3)):
        assert api(sub).get("/contacts/my-day").json()["results"] == []
        assert len(api(clerk).get("/contacts/my-day").json()["results"]) == 1


def test_c6_overlapping_substitution_refused_nothing_written(api, manager, make_user, clerk):
    make_user("sub", "clerk")
    make_user("sub2", "clerk")
    m = api(manager)
    body = {"tracker": "clerk", "substitute": "sub", "start": "2026-12-07", "end": "2026-12-09"}
    with frozen(T0):
        assert m.post("/contacts/substitutions", body).status_code == 201
        before = care_counts()
        r = m.post(
            "/contacts/substitutions",
            {**body, "substitute": "sub2", "start": "2026-12-09", "end": "2026-12-12"},
        )
        assert_error(r, 409, "substitution_overlap")
        assert care_counts() == before
        assert_error(api(clerk).post("/contacts/substitutions", body), 403, "forbidden")
        assert_error(m.post("/contacts/substitutions", {**body, "tracker": "ghost"}), 422)
    assert Substitution.objects.count() == 1


def test_c3_run_schedules_catches_up_orders_completed_without_the_receiver(api, clerk, tech):
    """A completed order whose tasks are missing (e.g. completed before care was installed,
    or a receiver disconnected) gets them from the watermark scan, once."""
    from tests.care.helpers import completed_order

    run_schedules(now=T0)  # the first run sets the watermark
    o = completed_order(api(clerk), api(tech))
    Task.objects.all().delete()
    with frozen(T0 + timedelta(hours=1)):
        rep = run_schedules()
        again = run_schedules()
    assert rep.created["orders_completed"] == 3
    assert again.created.get("orders_completed", 0) == 0
    assert Task.objects.filter(order__number=o["number"]).count() == 3


def test_c8_loyal_by_visits_and_spend_from_accepted_quotes(api, manager, clerk, tech):
    from decimal import Decimal

    from aftersales.orders.models import Order
    from aftersales.warranty.models import Quote
    from tests.care.helpers import completed_order

    for row in CarePolicyRow.objects.all():
        row.loyal_min_visits, row.loyal_min_spend = 2, Decimal("500")
        row.save()
    big = [
        completed_order(api(clerk), api(tech), source_ref=f"B{i}", at=T0 + timedelta(hours=i))
        for i in range(2)
    ]
    small = [
        completed_order(
            api(clerk),
            api(tech),
            source_ref=f"S{i}",
            at=T0 + timedelta(hours=3 + i),
            customer={"name": "赵六", "phones": ["139 0013 9000"]},
        )
        for i in range(2)
    ]

    def quote(o, n, total, status="accepted", currency="CNY"):
        Quote.objects.create(
            number=f"Q{n}",
            order=Order.objects.get(number=o["number"]),
            coverage="out_of_warranty",
            currency=currency,
            total=Decimal(total),
            status=status,
            created_at=T0,
        )

    quote(big[0], 1, "300.00")
    quote(big[1], 2, "250.00")
    quote(big[1], 3, "9000.00", status="declined")  # not spent
    quote(small[0], 4, "300.00")
    quote(small[1], 5, "900.00", currency="USD")  # another currency: not added
    with frozen(T0 + timedelta(days=2)):
        rows = api(manager).get("/customers/loyal").json()["results"]
    assert [(r["visits"], Decimal(str(r["spend"])), r["currency"]) for r in rows] == [
        (2, Decimal("550.00"), "CNY")
    ]
    # Outside the period nothing counts.
    with frozen(T0 + timedelta(days=400)):
        assert api(manager).get("/customers/loyal").json()["results"] == []
