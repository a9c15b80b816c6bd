"""A demo service network: outlets, people, customers and ~200 orders in every state.

Orders are driven through the real services with past timestamps, so their events, SLA
figures and flags are exactly what the product would have recorded.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from aftersales.accounts.models import ApiToken, Outlet, User
from aftersales.orders.inputs import OrderIn
from aftersales.orders.intake import order_receive
from aftersales.orders.models import Order
from aftersales.orders.services import order_act

PASSWORD = "demo"
OUTLETS = [
    ("qd-01", "青岛市南服务网点", "Qingdao", 1),
    ("jn-03", "济南历城服务网点", "Jinan", 3),
    ("se-01", "서울 강남 서비스센터", "Seoul", 2),
]
PEOPLE = [
    # username, display name, outlet, roles
    ("admin", "Admin", None, ["admin"]),
    ("manager", "经理 刘强", None, ["manager"]),
    ("supervisor", "产品主管 陈静", None, ["supervisor"]),
    ("clerk", "信息员 王丽", "qd-01", ["clerk", "dispatcher"]),
    ("clerk_jn", "信息员 孙敏", "jn-03", ["clerk"]),
    ("clerk_se", "접수담당 이수진", "se-01", ["clerk", "dispatcher"]),
    ("keeper", "备件员 赵刚", "qd-01", ["parts_keeper"]),
    ("tech_wang", "王师傅", "qd-01", ["technician"]),
    ("tech_li", "李师傅", "qd-01", ["technician"]),
    ("tech_zhou", "周师傅", "jn-03", ["technician"]),
    ("tech_kim", "김기사", "se-01", ["technician"]),
    ("tech_park", "박기사", "se-01", ["technician"]),
]
NAMES = {
    "qd-01": ["王芳", "李娜", "张伟", "刘洋", "陈杰", "杨静", "赵磊", "黄敏", "周涛", "吴霞"],
    "jn-03": ["孙丽", "马超", "朱琳", "胡军", "郭燕", "林峰", "何平", "高翔"],
    "se-01": ["김민준", "이서연", "박지훈", "최수아", "정우진", "John Smith", "Emily Clark"],
}
STREETS = {
    "qd-01": "青岛市市南区香港中路{}号",
    "jn-03": "济南市历城区花园路{}号",
    "se-01": "서울특별시 강남구 테헤란로 {}",
}
# Each outlet's centre (WGS-84); customers are scattered within ~8 km for the planner.
CENTRES = {"qd-01": (36.0671, 120.3826), "jn-03": (36.6758, 117.0211), "se-01": (37.5013, 127.0396)}
PRODUCTS = [
    ("air_conditioner", "Haier", "KFR-35GW"),
    ("washing_machine", "Haier", "XQG100"),
    ("refrigerator", "Haier", "BCD-470"),
    ("television", "Hisense", "65E7"),
    ("water_heater", "Midea", "F60-21"),
    ("dishwasher", "Siemens", "SJ236"),
    ("vehicle", "Hyundai", "Sonata"),
    ("farm_machine", "Lovol", "M904"),
]
# Target states and how many of each; together about 200.
PLAN = [
    ("received", 22),
    ("assigned", 22),
    ("contacted", 26),
    ("on_the_way", 6),
    ("on_site", 6),
    ("waiting_parts", 14),
    ("unreachable", 8),
    ("carried_in", 6),
    ("no_time", 5),
    ("completed", 22),
    ("revisited", 10),
    ("closed", 45),
    ("cancelled", 8),
]


def _phone(outlet: str, rnd: random.Random) -> str:
    if outlet == "se-01":
        return f"+82 10-{rnd.randint(2000, 9999)}-{rnd.randint(1000, 9999)}"
    return f"13{rnd.randint(0, 9)}{rnd.randint(10000000, 99999999)}"


class Command(BaseCommand):
    help = "Load the demo service network (skip with --if-empty when orders exist)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--if-empty", action="store_true")
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args: Any, if_empty: bool, seed: int, **kw: Any) -> None:
        if if_empty and Order.objects.exists():
            self._logins()
            return
        rnd = random.Random(seed)
        with transaction.atomic():
            outlets = {
                code: Outlet.objects.update_or_create(
                    code=code, defaults={"name": name, "region": region, "market_tier": tier}
                )[0]
                for code, name, region, tier in OUTLETS
            }
            users = {}
            for username, display, outlet, roles in PEOPLE:
                u, _ = User.objects.get_or_create(username=username)
                u.display_name = display
                u.outlet = outlets.get(outlet) if outlet else None
                u.roles = roles
                u.is_staff = username == "admin"
                u.is_superuser = username == "admin"
                u.set_password(PASSWORD)
                u.save()
                users[username] = u
        now = timezone.now()
        made = 0
        for state, count in PLAN:
            for _ in range(count):
                outlet = rnd.choice(list(outlets))
                self._order(state, outlet, users, rnd, now, made)
                made += 1
        self.stdout.write(
            f"Demo network loaded: {len(outlets)} outlets, {len(users)} people, {made} orders."
        )
        # Apps built on orders add their demo data in `<app>/demo.py: load(stdout, rnd, now)`.
        for app in ("dispatch", "parts", "care", "warranty", "kpis"):
            if find_spec(f"aftersales.{app}.demo"):
                import_module(f"aftersales.{app}.demo").load(self.stdout, rnd, now)
        self._logins()

    def _logins(self) -> None:
        self.stdout.write(
            "Demo logins (password 'demo'): admin, manager, supervisor, clerk, "
            "clerk_jn, clerk_se, keeper, tech_wang, tech_li, tech_zhou, tech_kim, tech_park"
        )
        if not ApiToken.objects.filter(user__username="clerk", name="demo").exists():
            clerk = User.objects.filter(username="clerk").first()
            if clerk:
                _, token = ApiToken.issue(clerk, "demo")
                self.stdout.write(f"API token for clerk: {token}")

    def _order(
        self,
        state: str,
        outlet: str,
        users: dict[str, User],
        rnd: random.Random,
        now: datetime,
        i: int,
    ) -> None:
        clerk = users[{"qd-01": "clerk", "jn-03": "clerk_jn", "se-01": "clerk_se"}[outlet]]
        techs = [
            u
            for u in users.values()
            if u.outlet and u.outlet.code == outlet and "technician" in u.roles
        ]
        early = state in ("received", "assigned", "contacted")
        days_ago = rnd.uniform(0.1, 1.5) if early and rnd.random() < 0.6 else rnd.uniform(2.2, 9)
        t = now - timedelta(days=days_ago)
        category, brand, model = rnd.choice(PRODUCTS)
        carry = state == "carried_in"
        data = OrderIn.model_validate(
            {
                "customer": {
                    "name": rnd.choice(NAMES[outlet]),
                    "phones": [_phone(outlet, rnd)],
                    "address": STREETS[outlet].format(rnd.randint(1, 300)),
                    "region": outlet.split("-")[0],
                    "latitude": round(CENTRES[outlet][0] + rnd.uniform(-0.07, 0.07), 5),
                    "longitude": round(CENTRES[outlet][1] + rnd.uniform(-0.09, 0.09), 5),
                },
                "product": {
                    "category": category,
                    "brand": brand,
                    "model": model,
                    "serial": f"SN{rnd.randint(100000, 999999)}",
                    "purchase_date": (now - timedelta(days=rnd.randint(30, 900))).date(),
                },
                "service_type": rnd.choice(["repair"] * 5 + ["install", "maintenance"]),
                "service_mode": "carry_in_both_ways" if carry else "on_site",
                "fault": rnd.choice(
                    [
                        "不制冷",
                        "漏水",
                        "噪音大",
                        "无法开机",
                        "显示E4故障",
                        "소음이 심함",
                        "Does not start",
                    ]
                ),
                "requested_at": t + timedelta(hours=1),
                "remarks": "网站改派" if rnd.random() < 0.05 else "",
                "priority": rnd.choice(["normal"] * 6 + ["high", "urgent"]),
                "source": rnd.choice(
                    ["call_centre"] * 4 + ["phone", "walk_in", "web", "retail_store"]
                ),
                "source_ref": f"DEMO-{outlet}-{i:05d}",
                "outlet": outlet,
            }
        )
        order = order_receive(actor=clerk, data=data, now=t)
        n = order.number
        if state == "received":
            return
        tech = rnd.choice(techs)

        def act(who: User, action: str, at: datetime, **payload: Any) -> None:
            order_act(actor=who, number=n, action=action, payload=payload, now=min(at, now))

        t += timedelta(minutes=rnd.randint(5, 60))
        act(clerk, "assign", t, technician=tech.username)
        if state == "assigned":
            return
        if state == "unreachable":
            act(
                tech,
                "result",
                t + timedelta(minutes=20),
                kind="unreachable",
                phones=[{"phone": order.contact_phones[0], "outcome": "no_answer"}],
            )
            return
        local = timezone.localtime(t)
        ws = local.replace(
            hour=rnd.choice([9, 10, 13, 14, 15]), minute=0, second=0, microsecond=0
        ) + timedelta(days=1)
        if state == "contacted" and ws < now:
            ws = timezone.localtime(now).replace(
                hour=10, minute=0, second=0, microsecond=0
            ) + timedelta(days=1)
        act(
            tech,
            "appointment",
            t + timedelta(minutes=30),
            start=ws.isoformat(),
            end=(ws + timedelta(hours=2)).isoformat(),
            agreed_by="customer",
        )
        if state == "contacted":
            return
        if state == "no_time":
            act(
                tech,
                "result",
                t + timedelta(hours=1),
                kind="no_time",
                days=10,
                stated_by="customer",
            )
            return
        act(tech, "start-travel", ws - timedelta(minutes=30))
        if state == "on_the_way":
            return
        arrive = ws + timedelta(minutes=rnd.choice([-10, 5, 20, 50]))
        act(tech, "arrive", arrive)
        if state == "on_site":
            return
        if state == "carried_in":
            act(
                tech,
                "result",
                arrive + timedelta(minutes=30),
                kind="carried_in",
                promised_return_date=(arrive + timedelta(days=3)).date().isoformat(),
                agreed_by="customer",
            )
            return
        if state == "waiting_parts":
            act(
                tech,
                "part-request",
                arrive + timedelta(minutes=40),
                part="压缩机电容",
                shipped_by="manufacturer",
            )
            promised = (arrive + timedelta(days=rnd.choice([2, 3, 4]))).date().isoformat()
            payload: dict[str, Any] = {
                "kind": "waiting_parts",
                "part": "压缩机电容",
                "shipped_by": "manufacturer",
                "agreed_by": "customer",
            }
            if rnd.random() < 0.7:
                payload["promised_date"] = promised
            act(tech, "result", arrive + timedelta(minutes=45), **payload)
            if rnd.random() < 0.4:
                act(clerk, "call", arrive + timedelta(days=1), note="用户来电催问配件")
            return
        if state == "cancelled":
            act(clerk, "cancel", arrive + timedelta(minutes=5), reason="用户已自行修好")
            return
        done = arrive + timedelta(minutes=rnd.randint(40, 150))
        full = rnd.random() < 0.85
        act(
            tech,
            "complete",
            done,
            fault_code=rnd.choice(["E1", "E4", "F2", "N1"]),
            fault_cause="电容老化" if full else "",
            solution="更换电容",
            parts_replaced=[{"name": "电容", "quantity": 1}],
            customer_opinion="满意",
            test_run_done=full,
            customer_signature="签名" if full else "",
        )
        if state == "completed":
            return
        visit = done + timedelta(hours=rnd.randint(3, 20))
        act(clerk, "revisit", visit, satisfied=True, score=rnd.choice([4, 5, 5]))
        if state == "revisited":
            return
        act(clerk, "close", visit + timedelta(minutes=5))
