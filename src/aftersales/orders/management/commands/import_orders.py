from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.core.errors import error_message
from aftersales.domain.errors import DomainError
from aftersales.orders.parallel import default_jobs, import_file


class Command(BaseCommand):
    help = "Import orders from a CSV or XLSX file (good rows in, bad rows listed by line)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument(
            "--as",
            dest="username",
            default=None,
            help="the clerk recorded as receiver (default: none)",
        )
        parser.add_argument("--batch", type=int, default=2000)
        parser.add_argument(
            "--jobs",
            type=int,
            default=None,
            help="worker processes (default: up to 4 on PostgreSQL, 1 on SQLite)",
        )

    def handle(
        self,
        *args: Any,
        file: str,
        username: str | None,
        batch: int,
        jobs: int | None,
        **kw: Any,
    ) -> None:
        actor = None
        if username:
            actor = User.objects.filter(username=username).first()
            if actor is None:
                raise CommandError(f"No user {username!r}.")
        created = skipped = failed = 0
        try:
            for report in import_file(
                file,
                actor=actor,
                now=timezone.now(),
                batch_size=batch,
                jobs=jobs or default_jobs(),
            ):
                created += len(report.numbers)
                skipped += len(report.skipped)
                for line, err in report.errors:
                    failed += 1
                    detail = "; ".join(f"{k}: {v}" for k, v in err.fields.items())
                    self.stderr.write(f"line {line}: {error_message(err)} {detail}".rstrip())
        except DomainError as e:
            raise CommandError(error_message(e)) from None
        except FileNotFoundError:
            raise CommandError(f"No such file: {file}") from None
        self.stdout.write(f"created={created} already_imported={skipped} rejected={failed}")
