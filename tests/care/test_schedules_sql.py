"""run_schedules: the PostgreSQL statements re-express the rules of domain/care.py (the
task windows, the earlier of date and distance); they must make exactly the tasks the
portable ORM path makes from the same data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection

from aftersales.care.jobs import run_schedules
from aftersales.care.models import CarePolicyRow, Task
from aftersales.customers.models import Customer, CustomerProduct
from tests.flows.helpers import T0, frozen

pytestmark = pytest.mark.django_db
DAY = T0.date()
FIELDS = (
    "key",
    "kind",
    "customer_id",
    "assignee_id",
    "product_id",
    "due_on",
    "deadline",
    "basis",
    "open",
)


def _data(clerk) -> None:
    d = timedelta
    customers = []
    for i, (cls, due) in enumerate(
        [("A", DAY), ("B", DAY - d(40)), ("C", DAY + d(1)), ("", None), ("A", DAY - d(1))]
    ):
        customers.append(
            Customer.objects.create(
                name=f"c{i}", care_class=cls, next_contact_due=due, tracker=clerk if i % 2 else None
            )
        )
    erased = Customer.objects.create(name="gone", erased_at=T0)
    cases = [
        # (date due, distance due): date only, distance only, distance earlier, date earlier,
        # a tie, far future, long past (a loss call too), nothing
        (DAY + d(10), None),
        (None, DAY + d(3)),
        (DAY + d(100), DAY + d(5)),
        (DAY + d(2), DAY + d(9)),
        (DAY + d(7), DAY + d(7)),
        (DAY + d(200), DAY + d(90)),
        (DAY - d(70), DAY - d(80)),
        (DAY - d(61), None),
        (None, None),
    ]
    for i, (by_date, by_km) in enumerate(cases):
        CustomerProduct.objects.create(
            customer=customers[i % len(customers)],
            category="vehicle",
            next_maintenance_due=by_date,
            distance_due_on=by_km,
        )
    CustomerProduct.objects.create(
        customer=erased, category="vehicle", next_maintenance_due=DAY - d(90)
    )


def _tasks() -> list[tuple]:
    return sorted(Task.objects.values_list(*FIELDS))


def _reset() -> None:
    Task.objects.all().delete()
    Customer.objects.update(contact_task_open=False)
    CustomerProduct.objects.update(maintenance_reminded=False, loss_flagged=False)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL path is PostgreSQL's")
@pytest.mark.parametrize("ahead,lost", [(14, 60), (30, 45)])
def test_c2_c7_c8_sql_path_makes_the_same_tasks_as_the_portable_path(clerk, ahead, lost):
    for row in CarePolicyRow.objects.all():
        row.maintenance_ahead_days, row.lost_after_days = ahead, lost
        row.save()
    _data(clerk)
    with frozen(T0):
        portable = run_schedules(portable=True)
        expected = _tasks()
        _reset()
        sql = run_schedules(batch=2)  # several batches
        got = _tasks()
        again = run_schedules()
    assert len(expected) >= 8
    assert {t[7] for t in expected} >= {"date", "distance"}
    assert got == expected
    assert portable.created == sql.created
    assert sum(again.created.values()) == 0
