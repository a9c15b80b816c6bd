"""The console: API tokens, lifecycle actions and the `aftersales` aliases."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connections
from django.test import Client

from aftersales.cli import main as aftersales_main
from aftersales.orders.models import Order
from tests.flows.helpers import T0, counts, frozen, receive

pytestmark = pytest.mark.django_db


def test_o1_token_create_prints_a_token_that_authenticates(clerk):
    out = StringIO()
    call_command("token_create", "clerk", stdout=out)
    token = out.getvalue().strip()
    assert token.startswith("as_") and "\n" not in token
    r = Client().get("/api/v1/orders", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 200 and r.json()["count"] == 0
    assert Client().get("/api/v1/orders", HTTP_AUTHORIZATION="Bearer as_nope").status_code == 401


def test_o1_token_create_for_unknown_user_fails(db):
    with pytest.raises(CommandError, match="nobody"):
        call_command("token_create", "nobody")


def test_o5_order_command_takes_an_action(api, clerk, tech):
    out = StringIO()
    with frozen(T0):
        n = receive(api(clerk))["number"]
        call_command(
            "order", "assign", n, "--as", "clerk", "--json", '{"technician": "tech"}', stdout=out
        )
    assert out.getvalue().strip() == f"{n} assigned v2"
    assert Order.objects.get(number=n).assignee == tech


@pytest.mark.parametrize(
    "args, match",
    [
        (["assign", "{n}", "--as", "clerk", "--json", "{oops"], "not JSON"),
        (["assign", "{n}", "--as", "ghost", "--json", "{}"], "ghost"),
        (["assign", "{n}", "--as", "clerk", "--json", "{}"], "validation"),
        (["teleport", "{n}", "--as", "clerk"], "unknown_action"),
        (
            ["assign", "SO00000999", "--as", "clerk", "--json", '{"technician": "tech"}'],
            "not_found",
        ),
    ],
)
def test_o5_order_command_refusals_are_command_errors(api, clerk, tech, args, match):
    with frozen(T0):
        n = receive(api(clerk))["number"]
        before = counts()
        with pytest.raises(CommandError, match=match):
            call_command("order", *[a.replace("{n}", n) for a in args])
    assert counts() == before


def test_o3_import_orders_console_alias(tmp_path, outlet, capsys, monkeypatch):
    from tests.flows.test_import_reconcile import row, write_csv

    path = write_csv(tmp_path / "feed.csv", [row("CLI-1"), row("CLI-2", phones="bad")])
    # run_from_argv closes every connection when done: keep the test's transaction open.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    with frozen(T0):
        aftersales_main(["import", "orders", path])
    captured = capsys.readouterr()
    assert "created=1 already_imported=0 rejected=1" in captured.out
    assert "line 3:" in captured.err
    assert Order.objects.filter(source_ref="CLI-1").exists()


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["run-schedules"], "run_schedules"),
        (["plan-day", "2026-12-07"], "plan_day"),
        (["solve-vrptw", "F.txt"], "solve_vrptw"),
        (["followups", "due"], "followups_due"),
        (["scorecards", "close-month", "2026-11"], "scorecards_close_month"),
        (["import", "orders", "f.csv"], "import_orders"),
    ],
)
def test_cli_verbs_reach_their_commands(monkeypatch, argv, command):
    seen: list[list[str]] = []
    monkeypatch.setattr(
        "django.core.management.execute_from_command_line", lambda args: seen.append(args)
    )
    aftersales_main(argv)
    assert seen[0][1] == command
    from django.core.management import get_commands

    assert command in get_commands()
