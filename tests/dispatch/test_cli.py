"""CLI: solve-vrptw (Solomon through the product's engine) and plan-day."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from aftersales.dispatch.models import PlanProposal
from aftersales.orders.models import OrderEvent
from tests.flows.helpers import T0, frozen

SOLOMON = "/work/shared/data/solomon/C201.txt"


def test_d2_solve_vrptw_last_line(tmp_path):
    out = StringIO()
    call_command("solve_vrptw", SOLOMON, seconds=1.0, stdout=out)
    last = out.getvalue().strip().splitlines()[-1]
    m = re.fullmatch(r"vehicles=(\d+) distance=(\d+\.\d+) feasible=(true|false)", last)
    assert m, last
    assert m.group(3) == "true" and float(m.group(2)) < 589.1 * 1.05


def test_d2_solve_vrptw_bad_file(tmp_path):
    bad = tmp_path / "x.txt"
    bad.write_text("nothing here\n")
    with pytest.raises(CommandError):
        call_command("solve_vrptw", str(bad), seconds=1.0, stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("solve_vrptw", str(tmp_path / "missing.txt"), stdout=StringIO())


@pytest.mark.django_db
def test_d2_plan_day_prints_plan_and_figures(techs, new_order):
    n = new_order()
    out = StringIO()
    events = OrderEvent.objects.count()
    with frozen(T0):
        call_command("plan_day", "2026-12-08", outlet="qd-01", seconds=0.5, stdout=out)
    text = out.getvalue()
    assert n in text and "served=1" in text and "greedy_travel_km=" in text
    assert OrderEvent.objects.count() == events  # proposes only
    assert PlanProposal.objects.count() == 1


@pytest.mark.django_db
def test_d2_plan_day_bad_input(techs):
    with pytest.raises(CommandError):
        call_command("plan_day", "tomorrow", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("plan_day", "2026-12-08", outlet="nowhere", stdout=StringIO())
    assert PlanProposal.objects.count() == 0
