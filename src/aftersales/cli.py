"""`aftersales` console script: friendly verbs over Django's management commands.

aftersales serve [--host H --port P]       aftersales demo [--if-empty]
aftersales import orders FILE              aftersales backlog [--export F.xlsx]
aftersales reconcile SOURCE FILE           aftersales token create USER
aftersales order ACTION NUMBER [--json …]  aftersales run-schedules [--loop S]
aftersales followups due [--tracker U]     aftersales parts import FILE
aftersales parts ageing [--export F.xlsx]  aftersales stock count start|close WAREHOUSE
aftersales scorecards close-month YYYY-MM  aftersales plan-day DAY [--outlet X]
aftersales solve-vrptw FILE [--seconds N]  aftersales <any Django command>
"""

from __future__ import annotations

import os
import sys

ALIASES = {
    ("import", "orders"): "import_orders",
    ("token", "create"): "token_create",
    ("followups", "due"): "followups_due",
    ("scorecards", "close-month"): "scorecards_close_month",
}
# One-word verbs with hyphens (Django command names are module names: underscores).
SINGLE = {
    "run-schedules": "run_schedules",
    "plan-day": "plan_day",
    "solve-vrptw": "solve_vrptw",
}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:2] and tuple(args[:2]) in ALIASES:
        args = [ALIASES[(args[0], args[1])], *args[2:]]
    elif args and args[0] in SINGLE:
        args = [SINGLE[args[0]], *args[1:]]
    from django.core.management import execute_from_command_line

    execute_from_command_line(["aftersales", *args])


if __name__ == "__main__":
    main()
