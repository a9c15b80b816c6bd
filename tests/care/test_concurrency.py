"""Several run_schedules workers at once (PostgreSQL: FOR UPDATE SKIP LOCKED claims) and two
overlapping substitutions racing: nothing twice, nothing lost."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from django.db import connection, connections

from aftersales.accounts.models import User
from aftersales.care.jobs import run_schedules
from aftersales.care.models import Substitution, Task
from aftersales.care.services import substitution_create
from aftersales.customers.models import Customer, CustomerProduct
from aftersales.domain.errors import DomainError
from tests.flows.helpers import T0

pg_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs real row locks (PostgreSQL)"
)


def _parallel(n, fn):
    errors: list[BaseException] = []

    def run():
        try:
            fn()
        except BaseException as e:  # noqa: BLE001
            errors.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


@pg_only
@pytest.mark.django_db(transaction=True)
def test_run_schedules_workers_in_parallel_create_each_task_once(reference_data):
    Customer.objects.bulk_create(
        Customer(name=f"c{i}", care_class="B", next_contact_due=T0.date() - timedelta(days=i % 9))
        for i in range(600)
    )
    cs = list(Customer.objects.all()[:300])
    CustomerProduct.objects.bulk_create(
        CustomerProduct(customer=c, category="vehicle", next_maintenance_due=T0.date()) for c in cs
    )
    errors = _parallel(4, lambda: run_schedules(now=T0, batch=50))
    assert errors == []
    assert Task.objects.filter(kind="class_contact").count() == 600
    assert Task.objects.filter(kind="maintenance").count() == 300
    assert not Customer.objects.filter(contact_task_open=False).exists()


@pg_only
@pytest.mark.django_db(transaction=True)
def test_c6_racing_overlapping_substitutions_one_wins(reference_data):
    boss = User.objects.create_user("boss", password="pw", roles=["manager"])
    User.objects.create_user("clerk", password="pw", roles=["clerk"])
    for i in range(4):
        User.objects.create_user(f"s{i}", password="pw", roles=["clerk"])
    names = iter(range(4))
    lock = threading.Lock()

    def go():
        with lock:
            i = next(names)
        try:
            substitution_create(
                actor=boss,
                data={
                    "tracker": "clerk",
                    "substitute": f"s{i}",
                    "start": date(2026, 12, 7).isoformat(),
                    "end": date(2026, 12, 9).isoformat(),
                },
                now=T0,
            )
        except DomainError as e:
            assert e.code == "substitution_overlap"

    assert _parallel(4, go) == []
    assert Substitution.objects.count() == 1
