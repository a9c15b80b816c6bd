"""The one error type every rule raises; the API, pages and CLI each render it once."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refused command. `code` is stable and lower-case; `params` fill the message template.

    `status` is the HTTP status the API uses: 422 for bad input, 409 for a conflict with the
    order's current state or version, 404/403 for lookups and permissions.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        fields: dict[str, str] | None = None,
        status: int = 422,
        **params: Any,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = fields or {}
        self.status = status
        self.params = params

    def __repr__(self) -> str:
        return f"DomainError({self.code!r}, {self.message!r}, fields={self.fields!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only arguments: rebuild explicitly (parallel imports send errors back).
        return (_rebuild, (self.code, self.message, self.fields, self.status, self.params))


def _rebuild(
    code: str, message: str, fields: dict[str, str], status: int, params: dict[str, Any]
) -> DomainError:
    return DomainError(code, message, fields=fields, status=status, **params)


def conflict(code: str, message: str, **params: Any) -> DomainError:
    return DomainError(code, message, status=409, **params)


def gettext_noop(message: str) -> str:
    """Marks a message for the translation catalogues (makemessages looks for this name);
    the web layer translates it when it shows the error. The domain stays Django-free."""
    return message
