from __future__ import annotations

from django.db import transaction
from django.db.models import F

from .models import Counter


def reserve(name: str, count: int = 1) -> range:
    """Reserve `count` consecutive numbers; the update's row lock serialises writers."""
    with transaction.atomic():
        Counter.objects.get_or_create(name=name)
        Counter.objects.filter(name=name).update(value=F("value") + count)
        end = Counter.objects.values_list("value", flat=True).get(name=name)
    return range(end - count + 1, end + 1)
