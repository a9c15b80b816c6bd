"""`aftersales plan-day DATE [--outlet X] [--seconds N] [--as USER]`: propose a day plan
(nothing is assigned until a dispatcher accepts it) and print it with its figures."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from aftersales.accounts.models import Outlet, User
from aftersales.domain.errors import DomainError

from ...selectors import proposal_dict
from ...services import plan_propose


class Command(BaseCommand):
    help = "D-2: propose a day plan per outlet and print it with its figures."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("day", help="YYYY-MM-DD")
        parser.add_argument("--outlet", default=None, help="outlet code (default: every outlet)")
        parser.add_argument("--seconds", type=float, default=None)
        parser.add_argument("--as", dest="username", default=None)

    def handle(
        self,
        *args: Any,
        day: str,
        outlet: str | None,
        seconds: float | None,
        username: str | None,
        **kw: Any,
    ) -> None:
        try:
            d = date.fromisoformat(day)
        except ValueError:
            raise CommandError(f"Not a date: {day!r} (YYYY-MM-DD).") from None
        if username:
            actor = User.objects.filter(username=username).first()
            if actor is None:
                raise CommandError(f"No user {username!r}.")
        else:
            actor = User(username="cli", is_superuser=True)
        codes = [outlet] if outlet else list(Outlet.objects.values_list("code", flat=True))
        for code in codes:
            try:
                prop = plan_propose(
                    actor=actor, day=d, outlet=code, seconds=seconds, now=timezone.now()
                )
            except DomainError as exc:
                raise CommandError(exc.message) from None
            out = proposal_dict(prop)
            self.stdout.write(
                f"Plan #{prop.pk} {code} {d} ({'valid' if prop.valid else 'INVALID'})"
            )
            for ln in out["lines"]:
                self.stdout.write(
                    f"  {ln['technician']:<12} {ln['seq']:>2}  {timezone.localtime(ln['start']):%H:%M}"
                    f"–{timezone.localtime(ln['end']):%H:%M}  {ln['order']}"
                    f"{'  (agreed window)' if ln['window_agreed'] else ''}"
                )
            for u in out["unplanned"]:
                self.stdout.write(f"  unplanned {u['order']}: {u['message']}")
            for n in out["notes"]:
                self.stdout.write(f"  note: {n}")
            f = out["figures"]
            self.stdout.write("  " + " ".join(f"{k}={v}" for k, v in f.items()))
