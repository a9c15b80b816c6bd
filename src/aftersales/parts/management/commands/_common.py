from __future__ import annotations

from django.core.management.base import CommandError

from aftersales.accounts.models import User
from aftersales.core.errors import error_message
from aftersales.domain.errors import DomainError


def actor(username: str | None) -> User:
    """The named active user, or (none named) the first active superuser."""
    qs = User.objects.filter(is_active=True)
    user = (
        qs.filter(username=username).first()
        if username
        else qs.filter(is_superuser=True).order_by("pk").first()
    )
    if user is None:
        raise CommandError(f"No active user {username!r}." if username else "Give --as USER.")
    return user


def fail(e: DomainError) -> CommandError:
    detail = "; ".join(f"{k}: {v}" for k, v in e.fields.items())
    return CommandError(f"{e.code}: {error_message(e)} {detail}".rstrip())
