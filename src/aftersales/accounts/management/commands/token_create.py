from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from aftersales.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = "Create an API bearer token for USER and print it once."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="cli")

    def handle(self, *args: Any, username: str, name: str, **kw: Any) -> None:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        _, token = ApiToken.issue(user, name)
        self.stdout.write(token)
