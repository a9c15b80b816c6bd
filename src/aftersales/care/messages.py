"""C-4 pluggable message backends for letters and invitations.

`console` prints, `file` appends one JSON line per message to CARE_MESSAGE_DIR (default
var/messages), `email` sends through Django's mail settings (EMAIL_HOST … / EMAIL_BACKEND).
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail

from aftersales.domain.errors import DomainError


@dataclass(frozen=True)
class Message:
    customer_id: int
    name: str
    address: str
    email: str
    subject: str
    body: str


class Backend(Protocol):
    def send(self, message: Message) -> None: ...


class ConsoleBackend:
    def send(self, message: Message) -> None:
        sys.stdout.write(f"[letter to {message.name}, {message.address}] {message.subject}\n")


class FileBackend:
    def __init__(self, directory: str | None = None) -> None:
        base = directory or getattr(settings, "CARE_MESSAGE_DIR", None)
        self.path = Path(base or Path(settings.VAR_DIR) / "messages") / "outbox.jsonl"

    def send(self, message: Message) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(asdict(message), ensure_ascii=False) + "\n")


class EmailBackend:
    def send(self, message: Message) -> None:
        if not message.email:
            raise DomainError("no_email", f"Customer {message.customer_id} has no email address.")
        send_mail(
            message.subject,
            message.body,
            getattr(settings, "DEFAULT_FROM_EMAIL", None),
            [message.email],
        )


def backend(name: str) -> Backend:
    if name == "console":
        return ConsoleBackend()
    if name == "file":
        return FileBackend()
    if name == "email":
        return EmailBackend()
    raise DomainError(
        "validation", f"Unknown message backend {name!r}.", fields={"backend": "console|file|email"}
    )
