"""What every router of the API shares: the error responses it documents, the caller, and
the JSON body reader. Apps' routers import these; api.main mounts the routers."""

from __future__ import annotations

import json
from typing import Any, cast

from django.http import HttpRequest

from aftersales.accounts.models import User
from aftersales.domain.errors import DomainError

from .schemas import ErrorOut

ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


def user_of(request: HttpRequest) -> User:
    """The bearer token's user (BearerToken has set it; anonymous requests never get here)."""
    return cast(User, request.user)


def json_body(request: HttpRequest) -> dict[str, Any]:
    raw = request.body
    if not raw:
        return {}
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise DomainError("validation", "The body must be a JSON object.", status=400)
    return data
