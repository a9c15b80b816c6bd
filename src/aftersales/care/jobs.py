"""`run_schedules`: the idempotent generator of due care tasks.

Each generator is a work queue kept in the database: a partial index lists the rows that
still need a task (customer: `contact_task_open = false`; product: `maintenance_reminded` /
`loss_flagged = false`). A batch *claims* rows (flag set, `FOR UPDATE SKIP LOCKED` on
PostgreSQL, so several workers can run at once) and inserts their tasks with
`ON CONFLICT (key) DO NOTHING` on the natural key, in one transaction. A run therefore
creates nothing twice, an incremental run only reads the index's few new rows, and a run
after downtime catches up on everything that fell due meanwhile. Completed orders are
re-read from a watermark on the order events' id (`ScheduleCursor`) as a safety net
for the receiver.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone

from aftersales.customers.models import Customer, CustomerProduct
from aftersales.domain import care as rules
from aftersales.domain.care import TaskKind
from aftersales.domain.codes import Action
from aftersales.orders.models import Order, OrderEvent

from .models import ScheduleCursor, Task, care_policy
from .services import local_day, schedule_for_completed_order, task_key


@dataclass
class RunReport:
    created: dict[str, int] = field(default_factory=dict)
    claimed: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, kind: str, claimed: int, created: int) -> None:
        self.claimed[kind] = self.claimed.get(kind, 0) + claimed
        self.created[kind] = self.created.get(kind, 0) + created


def _pg() -> bool:
    return connection.vendor == "postgresql"


# PostgreSQL: claim and insert in one statement per batch. `= ANY(ARRAY(subquery))` makes
# the planner run the small claim first and then fetch the rows by primary key (an `IN
# (subquery)` may be planned as a hash join over the whole table).
_PG_CLASS = """
WITH claimed AS (
  UPDATE customers_customer c SET contact_task_open = true
  WHERE c.id = ANY(ARRAY(
    SELECT id FROM customers_customer
    WHERE NOT contact_task_open AND next_contact_due IS NOT NULL AND next_contact_due <= %(today)s
    ORDER BY next_contact_due LIMIT %(batch)s FOR UPDATE SKIP LOCKED))
  RETURNING c.id, c.tracker_id, c.next_contact_due
), ins AS (
  INSERT INTO care_task (key, kind, customer_id, assignee_id, due_on, deadline, open, created_at)
  SELECT 'class_contact:' || id || ':' || to_char(next_contact_due, 'YYYY-MM-DD'), 'class_contact', id, tracker_id,
         next_contact_due, next_contact_due, true, %(now)s
  FROM claimed
  ON CONFLICT (key) DO NOTHING RETURNING 1
)
SELECT (SELECT count(*) FROM claimed), (SELECT count(*) FROM ins)
"""

_PG_PRODUCT = """
WITH claimed AS (
  UPDATE customers_customerproduct p SET {flag} = true
  WHERE p.id = ANY(ARRAY(
    SELECT id FROM customers_customerproduct
    WHERE NOT {flag} AND next_maintenance_due IS NOT NULL AND next_maintenance_due <= %(limit)s
    ORDER BY next_maintenance_due LIMIT %(batch)s FOR UPDATE SKIP LOCKED))
  RETURNING p.id, p.customer_id, p.next_maintenance_due
), ins AS (
  INSERT INTO care_task (key, kind, customer_id, assignee_id, product_id, due_on, deadline,
                         open, created_at)
  SELECT '{kind}:' || claimed.id || ':' || to_char(claimed.next_maintenance_due, 'YYYY-MM-DD'), '{kind}',
         claimed.customer_id, c.tracker_id, claimed.id,
         claimed.next_maintenance_due + (%(shift)s)::int,
         claimed.next_maintenance_due + (%(dshift)s)::int,
         true, %(now)s
  FROM claimed JOIN customers_customer c ON c.id = claimed.customer_id
  WHERE c.erased_at IS NULL
  ON CONFLICT (key) DO NOTHING RETURNING 1
)
SELECT (SELECT count(*) FROM claimed), (SELECT count(*) FROM ins)
"""


def _pg_loop(sql: str, params: dict[str, Any], batch: int) -> tuple[int, int]:
    claimed = created = 0
    while True:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, {**params, "batch": batch})
            row = cur.fetchone()
        n, m = (int(row[0]), int(row[1])) if row else (0, 0)
        claimed += n
        created += m
        if n < batch:
            return claimed, created


def _orm_loop(
    claim: Callable[[], list[tuple[int, int | None, int | None, date]]],
    build: Callable[[tuple[int, int | None, int | None, date]], Task | None],
    mark: Callable[[list[int]], None],
    batch: int,
) -> tuple[int, int]:
    claimed = created = 0
    while True:
        with transaction.atomic():
            rows = claim()
            tasks = [t for t in (build(r) for r in rows) if t is not None]
            keys = [t.key for t in tasks]
            seen: set[str] = set()
            for i in range(0, len(keys), 500):
                seen.update(
                    Task.objects.filter(key__in=keys[i : i + 500]).values_list("key", flat=True)
                )
            Task.objects.bulk_create(tasks, ignore_conflicts=True, batch_size=500)
            made = len(set(keys) - seen)
            mark([r[0] for r in rows])
        claimed += len(rows)
        created += made
        if len(rows) < batch:
            return claimed, created


def class_contacts(today: date, now: datetime, batch: int, report: RunReport) -> None:
    """C-7: one task per customer whose next class contact is due."""
    if _pg():
        report.add(
            TaskKind.CLASS_CONTACT,
            *_pg_loop(_PG_CLASS, {"today": today, "now": now}, batch),
        )
        return
    qs = Customer.objects.filter(
        contact_task_open=False, next_contact_due__isnull=False, next_contact_due__lte=today
    ).order_by("next_contact_due", "pk")

    def claim() -> list[tuple[int, int | None, int | None, date]]:
        return [
            (pk, tracker, None, due)
            for pk, tracker, due in qs.values_list("pk", "tracker_id", "next_contact_due")[:batch]
            if due is not None
        ]

    def build(r: tuple[int, int | None, int | None, date]) -> Task:
        pk, tracker, _, due = r
        return Task(
            key=task_key(TaskKind.CLASS_CONTACT, pk, due.isoformat()),
            kind=TaskKind.CLASS_CONTACT,
            customer_id=pk,
            assignee_id=tracker,
            due_on=due,
            deadline=due,
            created_at=now,
        )

    def mark(ids: list[int]) -> None:
        Customer.objects.filter(pk__in=ids).update(contact_task_open=True)

    report.add(TaskKind.CLASS_CONTACT, *_orm_loop(claim, build, mark, batch))


def product_queue(
    kind: TaskKind,
    flag: str,
    limit: date,
    shift: int,
    dshift: int,
    now: datetime,
    batch: int,
    report: RunReport,
) -> None:
    """C-2 maintenance reminders and C-8 loss calls: one task per product and due date."""
    if _pg():
        sql = _PG_PRODUCT.format(flag=flag, kind=kind.value)
        report.add(
            kind,
            *_pg_loop(sql, {"limit": limit, "shift": shift, "dshift": dshift, "now": now}, batch),
        )
        return
    qs = CustomerProduct.objects.filter(
        **{flag: False}, next_maintenance_due__isnull=False, next_maintenance_due__lte=limit
    ).order_by("next_maintenance_due", "pk")

    def build(r: tuple[int, int | None, int | None, date]) -> Task:
        pk, tracker, cid, due = r
        assert cid is not None
        return Task(
            key=task_key(kind, pk, due.isoformat()),
            kind=kind,
            customer_id=cid,
            assignee_id=tracker,
            product_id=pk,
            due_on=due + timedelta(days=shift),
            deadline=due + timedelta(days=dshift),
            created_at=now,
        )

    def mark(ids: list[int]) -> None:
        CustomerProduct.objects.filter(pk__in=ids).update(**{flag: True})

    def claim_all() -> list[tuple[int, int | None, int | None, date]]:
        # (product, tracker, customer or None when erased, due): erased customers' products
        # are claimed without a task.
        return [
            (pk, tracker, None if erased else cid, due)
            for pk, cid, tracker, erased, due in qs.values_list(
                "pk",
                "customer_id",
                "customer__tracker_id",
                "customer__erased_at",
                "next_maintenance_due",
            )[:batch]
            if due is not None
        ]

    def build_live(r: tuple[int, int | None, int | None, date]) -> Task | None:
        return None if r[2] is None else build(r)

    report.add(kind, *_orm_loop(claim_all, build_live, mark, batch))


# Re-read this many order events below the watermark: an event whose id was taken before
# the last run but committed after it is still seen (re-scheduling is a no-op).
EVENT_OVERLAP = 1000


def completed_orders(now: datetime, policy: rules.CarePolicy, report: RunReport) -> None:
    """Safety net behind the receiver: orders completed since the watermark (the order
    events' id, a primary-key range scan) get their file and follow-up tasks; at most the
    follow-up horizon back. The first run reads completed orders within the horizon."""
    horizon = now - timedelta(
        days=policy.followup_first_to_days + policy.followup_second_within_days
    )
    cursor, _ = ScheduleCursor.objects.get_or_create(name="order_events")
    top = OrderEvent.objects.aggregate(m=Max("pk"))["m"] or 0
    orders = (
        Order.objects.filter(
            completed_at__isnull=False, completed_at__gte=horizon, completed_at__lte=now
        )
        .exclude(status="cancelled")
        # Orders the receiver already scheduled are skipped in the query, not one by one.
        .exclude(Exists(Task.objects.filter(order_id=OuterRef("pk"), kind=TaskKind.FOLLOWUP_2)))
    )
    if cursor.last_id:
        orders = orders.filter(
            pk__in=OrderEvent.objects.filter(
                pk__gt=cursor.last_id - EVENT_OVERLAP, pk__lte=top, action=Action.COMPLETE
            ).values("order_id")
        )
    made = seen = 0
    for order in (
        orders.only("pk", "customer_id", "product_id", "completed_at", "received_by_id")
        .order_by("completed_at", "pk")
        .iterator(chunk_size=500)
    ):
        with transaction.atomic():
            made += schedule_for_completed_order(order, now=now)
        seen += 1
    ScheduleCursor.objects.filter(pk=cursor.pk).update(
        last_id=max(top, cursor.last_id), position=now, ran_at=now
    )
    report.add("orders_completed", seen, made)


def run_schedules(*, now: datetime | None = None, batch: int | None = None) -> RunReport:
    now = now or timezone.now()
    today = local_day(now)
    policy = care_policy()
    size = batch or (50_000 if _pg() else 2_000)
    report = RunReport()
    ahead = policy.maintenance_ahead_days
    lost = policy.lost_after_days
    steps: list[tuple[str, Callable[[], None]]] = [
        ("orders_completed", lambda: completed_orders(now, policy, report)),
        (TaskKind.CLASS_CONTACT, lambda: class_contacts(today, now, size, report)),
        (
            TaskKind.MAINTENANCE,
            lambda: product_queue(
                TaskKind.MAINTENANCE,
                "maintenance_reminded",
                today + timedelta(days=ahead),
                -ahead,
                0,
                now,
                size,
                report,
            ),
        ),
        (
            TaskKind.LOSS_CALL,
            lambda: product_queue(
                TaskKind.LOSS_CALL,
                "loss_flagged",
                today - timedelta(days=lost),
                lost,
                lost + 7,
                now,
                size,
                report,
            ),
        ),
    ]
    for name, step in steps:
        t = time.perf_counter()
        step()
        report.seconds[str(name)] = round(time.perf_counter() - t, 3)
    return report
