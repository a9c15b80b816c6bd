"""Demo parts data: a master of common parts, a store per outlet with bins, a van per
qd-01 technician, receipts at different ages (so ageing shows yellow and red), a few issues,
reorder rules, a deposit, and part requests on waiting orders."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction

from aftersales.accounts.models import Outlet, User
from aftersales.domain.errors import DomainError

from . import inputs, services
from .models import AccountEntry, Bin, Part, ReorderRule, Warehouse

PARTS = [
    ("AC-CAP-35", "压缩机电容 35μF", "CBB65", "Compressor start", "18.00", "45.00", ["KFR-35GW"]),
    ("AC-FAN-01", "室外风机", "YDK-35", "Outdoor fan motor", "120.00", "260.00", ["KFR-35GW"]),
    ("AC-PCB-35", "内机主板", "PCB-35G", "Indoor control board", "210.00", "420.00", ["KFR-35GW"]),
    ("WM-PUMP-01", "排水泵", "B20-6", "Drain pump", "45.00", "98.00", ["XQG100"]),
    ("WM-BELT-01", "皮带", "1270J5", "Drum belt", "12.00", "30.00", ["XQG100"]),
    ("WH-ELEM-2K", "加热管 2kW", "HE-2000", "Heating element", "60.00", "135.00", ["ES60H"]),
    ("TV-PSU-55", "电源板", "PSU-55", "Power board", "180.00", "360.00", ["LE55"]),
    ("RF-THERM-1", "温控器", "WDF-1", "Thermostat", "25.00", "60.00", ["BCD-216"]),
]


def load(stdout: Any, rnd: random.Random, now: datetime) -> None:
    if Part.objects.exists():
        stdout.write("Parts demo: already loaded.")
        return
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        return
    with transaction.atomic():
        for code, name, model, use, cost, price, fits in PARTS:
            Part.objects.create(
                code=code, name=name, model=model, use=use, unit_cost=Decimal(cost),
                list_price=Decimal(price), fits_models=fits, barcode=code,
            )  # fmt: skip
        whs = []
        for o in Outlet.objects.order_by("code"):
            wh = Warehouse.objects.create(code=f"{o.code}-store", name=f"{o.name} 备件库", outlet=o)
            for zone in "AB":
                for shelf in ("01", "02"):
                    for level in ("1", "2"):
                        Bin.objects.create(
                            warehouse=wh, zone=zone, shelf=shelf, level=level, position="01"
                        )
            Bin.objects.create(
                warehouse=wh, zone="X", shelf="00", level="0", position="00", area="separate"
            )
            whs.append(wh)
            for t in User.objects.filter(outlet=o, is_active=True).order_by("username"):
                if "technician" in (t.roles or []):
                    van = Warehouse.objects.create(
                        code=f"van-{t.username}".replace("_", "-"), name=f"{t} van",
                        outlet=o, kind="van", technician=t,
                    )  # fmt: skip
                    Bin.objects.create(warehouse=van, zone="V", shelf="1", level="1", position="1")
            AccountEntry.objects.create(
                outlet=o, at=now - timedelta(days=120), kind="deposit",
                amount=Decimal(rnd.choice([8000, 12000, 20000])), currency="CNY", actor=admin,
            )  # fmt: skip
        parts = list(Part.objects.order_by("code"))
        for wh in whs:
            bins = list(Bin.objects.filter(warehouse=wh, area="stock"))
            for i, part in enumerate(parts):
                age = rnd.choice([5, 20, 45, 100, 150])
                services.stock_receive(
                    actor=admin,
                    data=inputs.ReceiptIn(
                        warehouse=wh.code,
                        lines=[
                            inputs.ReceiptLine(
                                part=part.code,
                                bin=str(bins[i % len(bins)].pk),
                                qty=rnd.randint(3, 20),
                            )
                        ],
                    ),
                    now=now - timedelta(days=age),
                )
            for part in parts[:3]:
                try:
                    services.stock_issue(
                        actor=admin,
                        data=inputs.IssueIn(
                            warehouse=wh.code, lines=[inputs.IssueLine(part=part.code, qty=1)]
                        ),
                        now=now - timedelta(days=rnd.randint(1, 20)),
                    )
                except DomainError:
                    pass
            ReorderRule.objects.create(part=parts[0], warehouse=wh, min_qty=10, max_qty=30)
    stdout.write(
        f"Parts demo: {len(parts)} parts, {len(whs)} stores with bins, vans, stock and ledger."
    )
