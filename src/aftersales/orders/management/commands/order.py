from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.core.errors import error_message
from aftersales.domain.errors import DomainError
from aftersales.orders.services import order_act


class Command(BaseCommand):
    help = "Take a lifecycle action on an order: order ACTION NUMBER --as USER [--json '{…}']."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action")
        parser.add_argument("number")
        parser.add_argument("--as", dest="username", required=True)
        parser.add_argument("--json", dest="payload", default="{}")

    def handle(
        self, *args: Any, action: str, number: str, username: str, payload: str, **kw: Any
    ) -> None:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        try:
            data = json.loads(payload)
        except json.JSONDecodeError as e:
            raise CommandError(f"--json is not JSON: {e.msg}") from None
        try:
            order = order_act(
                actor=user, number=number, action=action, payload=data, now=timezone.now()
            )
        except DomainError as e:
            detail = "; ".join(f"{k}: {v}" for k, v in e.fields.items())
            raise CommandError(f"{e.code}: {error_message(e)} {detail}".rstrip()) from None
        self.stdout.write(f"{order.number} {order.status} v{order.version}")
