"""`run_schedules`: the idempotent generator of due care tasks.

Each generator is a work queue kept in the database: a partial index lists the rows that
still need a task (customer: `contact_task_open = false`; product: `maintenance_reminded` /
`loss_flagged = false`). On PostgreSQL a batch is ONE statement: it *claims* up to 50,000
rows (flag set, the queue's condition re-checked on the row it updates, so a row changed
meanwhile by a logged contact is left for the next run) and inserts their tasks, sorted by
key, with `ON CONFLICT (key) DO NOTHING` on the natural key. Workers on several machines
take a session advisory lock per step: one does the step, the others skip it (row locks
alone would also keep it correct, the lock saves them waiting on each other). Elsewhere the
same steps run through the ORM (`portable`); a test checks both make identical tasks.
A run therefore
creates nothing twice, an incremental run only reads the index's few new rows, and a run
after downtime catches up on everything that fell due meanwhile. Completed orders are
re-read from a watermark on the order events' id (`ScheduleCursor`) as a safety net
for the receiver.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, Max, OuterRef, Q
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
    ORDER BY next_contact_due LIMIT %(batch)s))
    AND NOT c.contact_task_open AND c.next_contact_due <= %(today)s
  RETURNING c.id, c.tracker_id, c.next_contact_due
), ins AS (
  INSERT INTO care_task (key, kind, customer_id, assignee_id, due_on, deadline, basis, open,
                         created_at)
  SELECT 'class_contact:' || id || ':' || to_char(next_contact_due, 'YYYY-MM-DD'),
         'class_contact', id, tracker_id, next_contact_due, next_contact_due, '', true, %(now)s
  FROM claimed
  ORDER BY 1
  ON CONFLICT (key) DO NOTHING RETURNING 1
)
SELECT (SELECT count(*) FROM claimed), (SELECT count(*) FROM ins)
"""

# C-2 reminders: the maintenance is due at the EARLIER of the date and the day the
# projected mileage reaches the next maintenance km (`domain.care.maintenance_due`;
# PostgreSQL's LEAST ignores NULLs, a tie counts as by date). C-8 loss calls go by the date.
# tests/care/test_schedules_sql.py checks this SQL against the portable path.
_PG_PRODUCT = """
WITH claimed AS (
  UPDATE customers_customerproduct p SET {flag} = true
  WHERE p.id = ANY(ARRAY(
    SELECT id FROM customers_customerproduct
    WHERE {claim}
    ORDER BY {order} LIMIT %(batch)s))
    AND {queue}
  RETURNING p.id, p.customer_id, {due} AS due,
            CASE WHEN {due} = p.next_maintenance_due THEN 'date' ELSE 'distance' END AS basis
), ins AS (
  INSERT INTO care_task (key, kind, customer_id, assignee_id, product_id, due_on, deadline,
                         basis, open, created_at)
  SELECT '{kind}:' || claimed.id || ':' || to_char(claimed.due, 'YYYY-MM-DD'), '{kind}',
         claimed.customer_id, c.tracker_id, claimed.id,
         claimed.due + (%(shift)s)::int,
         claimed.due + (%(dshift)s)::int,
         {basis}, true, %(now)s
  FROM claimed JOIN customers_customer c ON c.id = claimed.customer_id
  WHERE c.erased_at IS NULL
  ORDER BY 1
  ON CONFLICT (key) DO NOTHING RETURNING 1
)
SELECT (SELECT count(*) FROM claimed), (SELECT count(*) FROM ins)
"""
# The queues, each read in its partial index's order: maintenance is claimed in two passes,
# by the date's index and then by the distance's (a product in both is claimed once: the
# flag is set; its task is due at the earlier of the two either way).
_BY_DATE = "next_maintenance_due IS NOT NULL AND next_maintenance_due <= %(limit)s"
_BY_KM = "distance_due_on IS NOT NULL AND distance_due_on <= %(limit)s"
_MAINTENANCE_QUEUE = f"NOT maintenance_reminded AND (({_BY_DATE}) OR ({_BY_KM}))"
_LOSS_QUEUE = f"NOT loss_flagged AND {_BY_DATE}"


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


def class_contacts(
    today: date, now: datetime, batch: int, report: RunReport, *, portable: bool = False
) -> None:
    """C-7: one task per customer whose next class contact is due."""
    if _pg() and not portable:
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
    policy: rules.CarePolicy,
    today: date,
    now: datetime,
    batch: int,
    report: RunReport,
    *,
    portable: bool = False,
) -> None:
    """C-2 maintenance reminders (by date or distance) and C-8 loss calls (by date): one
    task per product and maintenance date, placed by `domain.care.product_task_window`."""
    maintenance = kind == TaskKind.MAINTENANCE
    # The window is a fixed shift of the maintenance date: SQL applies the same shifts.
    ref = date(2000, 1, 1)
    start, end = rules.product_task_window(policy, kind, ref)
    shift, dshift = (start - ref).days, (end - ref).days
    # Products whose task is due by today: maintenance date <= today - shift.
    limit = today - timedelta(days=shift)
    if _pg() and not portable:
        passes = (
            [(_BY_DATE, "next_maintenance_due"), (_BY_KM, "distance_due_on")]
            if maintenance
            else [(_BY_DATE, "next_maintenance_due")]
        )
        for cond, order in passes:
            sql = _PG_PRODUCT.format(
                flag=flag,
                kind=kind.value,
                claim=f"NOT {flag} AND {cond}",
                order=order,
                queue=_MAINTENANCE_QUEUE if maintenance else _LOSS_QUEUE,
                due="LEAST(p.next_maintenance_due, p.distance_due_on)"
                if maintenance
                else "p.next_maintenance_due",
                basis="claimed.basis" if maintenance else "''",
            )
            params = {"limit": limit, "shift": shift, "dshift": dshift, "now": now}
            report.add(kind, *_pg_loop(sql, params, batch))
        return
    queue = Q(next_maintenance_due__isnull=False, next_maintenance_due__lte=limit)
    if maintenance:
        queue |= Q(distance_due_on__isnull=False, distance_due_on__lte=limit)
    qs = CustomerProduct.objects.filter(queue, **{flag: False}).order_by("pk")

    def mark(ids: list[int]) -> None:
        CustomerProduct.objects.filter(pk__in=ids).update(**{flag: True})

    rows: dict[int, tuple[date, str]] = {}

    def claim_all() -> list[tuple[int, int | None, int | None, date]]:
        # (product, tracker, customer or None when erased, due): erased customers' products
        # are claimed without a task.
        out: list[tuple[int, int | None, int | None, date]] = []
        rows.clear()
        for pk, cid, tracker, erased, by_date, by_km in qs.values_list(
            "pk",
            "customer_id",
            "customer__tracker_id",
            "customer__erased_at",
            "next_maintenance_due",
            "distance_due_on",
        )[:batch]:
            due, basis = rules.maintenance_due(by_date, by_km if maintenance else None)
            assert due is not None and basis is not None
            rows[pk] = (due, basis.value if maintenance else "")
            out.append((pk, tracker, None if erased else cid, due))
        return out

    def build(r: tuple[int, int | None, int | None, date]) -> Task | None:
        pk, tracker, cid, due = r
        if cid is None:
            return None
        due_on, deadline = rules.product_task_window(policy, kind, due)
        return Task(
            key=task_key(kind, pk, due.isoformat()),
            kind=kind,
            customer_id=cid,
            assignee_id=tracker,
            product_id=pk,
            due_on=due_on,
            deadline=deadline,
            basis=rows[pk][1],
            created_at=now,
        )

    report.add(kind, *_orm_loop(claim_all, build, mark, batch))


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


def run_schedules(
    *, now: datetime | None = None, batch: int | None = None, portable: bool = False
) -> RunReport:
    """Make every due task. `portable` forces the ORM path on PostgreSQL too (the SQLite
    path; tests compare both)."""
    now = now or timezone.now()
    today = local_day(now)
    policy = care_policy()
    size = batch or (50_000 if _pg() and not portable else 2_000)
    report = RunReport()
    steps: list[tuple[str, Callable[[], None]]] = [
        ("orders_completed", lambda: completed_orders(now, policy, report)),
        (
            TaskKind.CLASS_CONTACT,
            lambda: class_contacts(today, now, size, report, portable=portable),
        ),
        (
            TaskKind.MAINTENANCE,
            lambda: product_queue(
                TaskKind.MAINTENANCE,
                "maintenance_reminded",
                policy,
                today,
                now,
                size,
                report,
                portable=portable,
            ),
        ),
        (
            TaskKind.LOSS_CALL,
            lambda: product_queue(
                TaskKind.LOSS_CALL,
                "loss_flagged",
                policy,
                today,
                now,
                size,
                report,
                portable=portable,
            ),
        ),
    ]
    for name, step in steps:
        t = time.perf_counter()
        with _step_lock(str(name), pg=_pg() and not portable) as mine:
            if mine:
                step()
        report.seconds[str(name)] = round(time.perf_counter() - t, 3)
    return report


@contextmanager
def _step_lock(name: str, *, pg: bool) -> Iterator[bool]:
    """PostgreSQL: a session advisory lock per step; False when another worker holds it."""
    if not pg:
        yield True
        return
    with connection.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_lock(hashtext(%s))", ["care.run_schedules." + name])
        row = cur.fetchone()
    got = bool(row and row[0])
    try:
        yield got
    finally:
        if got:
            with connection.cursor() as cur:
                cur.execute(
                    "SELECT pg_advisory_unlock(hashtext(%s))", ["care.run_schedules." + name]
                )
