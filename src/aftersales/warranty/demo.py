"""Demo data of the warranty app, through the same services the pages call: terms, a price
list, quotes, a return request, complaints, rewards and penalties, trips and expenses."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from aftersales.accounts.models import User
from aftersales.domain.errors import DomainError
from aftersales.orders.models import Order
from aftersales.parts.models import Part

from . import people, services
from .models import WarrantyTerm

PARTS = [
    ("AC-COMP-35", "压缩机 KFR-35", "600.00", "820.00"),
    ("AC-CAP-25", "启动电容 25µF", "12.00", "25.00"),
    ("WM-PUMP", "排水泵", "45.00", "78.00"),
    ("TV-PSU-55", "电源板 55寸", "180.00", "260.00"),
    ("RF-THERM", "温控器", "30.00", "55.00"),
]


def load(stdout: Any, rnd: random.Random, now: datetime) -> None:
    done: dict[str, int] = {}

    def attempt(name: str, fn: Any) -> None:
        try:
            fn()
        except DomainError:
            return
        done[name] = done.get(name, 0) + 1

    WarrantyTerm.objects.get_or_create(category="vehicle", model="", defaults={"months": 36})
    WarrantyTerm.objects.get_or_create(category="refrigerator", model="", defaults={"months": 36})
    for code, name, cost, price in PARTS:
        Part.objects.get_or_create(
            code=code,
            defaults={"name": name, "unit_cost": Decimal(cost), "list_price": Decimal(price)},
        )
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=[
                "clerk",
                "supervisor",
                "manager",
                "tech_wang",
                "tech_li",
                "clerk_se",
                "tech_kim",
            ]
        )
    }
    if len(users) < 7:
        stdout.write("Warranty demo skipped: the demo people are missing.")
        return
    clerk, sup, mgr = users["clerk"], users["supervisor"], users["manager"]
    open_orders = list(
        Order.objects.filter(status__in=["assigned", "contacted", "on_site", "pending"])
        .select_related("product", "assignee")
        .order_by("pk")
    )
    rnd.shuffle(open_orders)
    for o in open_orders[:6]:
        part = rnd.choice(PARTS)
        attempt(
            "quotes",
            lambda o=o, part=part: services.quote_create(
                actor=mgr,
                number=o.number,
                data={
                    "lines": [{"kind": "part", "part_code": part[0]}],
                    "misuse": True,
                    "note": "演示报价",
                },
                now=now,
            ),
        )
    for o in open_orders[6:8]:
        if o.assignee is None:
            continue
        attempt(
            "returns",
            lambda o=o: services.return_request(
                actor=o.assignee,
                number=o.number,
                data={
                    "kind": "exchange",
                    "reason": "开机无反应，多次维修",
                    "fault_date": o.requested_at.date().isoformat(),
                },
                now=now,
            ),
        )
    for o, category in zip(open_orders[8:11], ("delay", "quarrel", "repeat_repair"), strict=False):
        if o.assignee is None or o.outlet_id != clerk.outlet_id:
            continue
        attempt(
            "complaints",
            lambda o=o, category=category: people.complaint_log(
                actor=clerk,
                data={
                    "channel": "call",
                    "category": category,
                    "order": o.number,
                    "summary": "客户来电投诉：上门不及时",
                    "apology": "已代表网点向客户致歉，承诺当天回复",
                },
                now=now,
            ),
        )
    for username, rule, evidence in (
        ("tech_wang", "praise", "客户送锦旗（订单回访记录）"),
        ("tech_li", "phone_off", "10:05、10:20 两次拨打关机（呼叫中心记录）"),
        ("tech_kim", "disobeying_dispatch", "拒绝接受改派的紧急工单（调度记录）"),
    ):
        attempt(
            "rewards and penalties",
            lambda username=username, rule=rule, evidence=evidence: people.penalty_record(
                actor=sup,
                data={"person": username, "rule": rule, "evidence": evidence},
                now=now,
            ),
        )
    for tech in (users["tech_wang"], users["tech_li"]):
        day = (now - timedelta(days=rnd.randint(1, 5))).date()
        trip = people.trip_log(
            actor=tech,
            data={
                "day": day.isoformat(),
                "origin": "网点",
                "destination": "崂山区",
                "km": "36.5",
                "hours": "7",
            },
            now=now,
        )
        attempt(
            "expense claims",
            lambda tech=tech, trip=trip: people.expense_claim(
                actor=tech, data={"kind": "transport", "amount": "42.00", "trip": trip.pk}, now=now
            ),
        )
    stdout.write(
        "Warranty demo: "
        + ", ".join(f"{n} {name}" for name, n in sorted(done.items()))
        + "; price list and terms for vehicles and refrigerators (36 months)."
    )
