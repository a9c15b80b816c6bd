from __future__ import annotations

import threading
import time
from typing import Any

from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from aftersales.accounts.models import ApiToken, User

# A machine client sends hundreds of requests a second with one token: its user is held per
# process for TOKEN_TTL seconds instead of read on every request. Revoking a token or
# deactivating a user drops the whole cache at once in the process that saves it; other
# gunicorn workers stop accepting the token within TOKEN_TTL.
TOKEN_TTL = 5.0
_held: dict[str, tuple[float, ApiToken]] = {}
_lock = threading.Lock()


def forget_tokens(**_: Any) -> None:
    with _lock:
        _held.clear()


for _model in (ApiToken, User):
    post_save.connect(forget_tokens, sender=_model, weak=False)
    post_delete.connect(forget_tokens, sender=_model, weak=False)


def _lookup(digest: str) -> ApiToken | None:
    now = time.monotonic()
    hit = _held.get(digest)
    if hit is not None and now - hit[0] < TOKEN_TTL:
        return hit[1]
    row = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest, revoked=False, user__is_active=True)
        .first()
    )
    with _lock:
        if row is None:
            _held.pop(digest, None)
        else:
            _held[digest] = (now, row)
    return row


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        row = _lookup(ApiToken.hash(token))
        if row is None:
            return None
        now = timezone.now()
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 300:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
            row.last_used_at = now
        request.user = row.user
        return row.user
