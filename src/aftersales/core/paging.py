"""Lists count their rows up to a cap: a manager's unfiltered list of a national network
has a million rows, and counting them all for a pager costs more than the page itself.
Below the cap (a clerk's 200 open orders) the count is exact; above it the list says
"10,000+" and asks for a filter to go further. The cap is the LIST_COUNT_CAP setting."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet


def count_cap() -> int:
    return int(getattr(settings, "LIST_COUNT_CAP", 10_000))


def capped_count(qs: QuerySet[Any], cap: int | None = None) -> tuple[int, bool]:
    """(count, capped): the exact count, or `cap` and True when there are more rows."""
    cap = count_cap() if cap is None else cap
    # SELECT COUNT(*) FROM (… LIMIT cap+1) stops at the cap; without the list's ORDER BY,
    # which would make the database sort every matching row first.
    n = qs.order_by()[: cap + 1].count()
    return (cap, True) if n > cap else (n, False)


class CappedPaginator(Paginator):  # type: ignore[type-arg]
    """A Paginator whose count stops at the cap; `capped` says the list goes on."""

    @cached_property
    def _capped(self) -> tuple[int, bool]:
        return capped_count(self.object_list)  # type: ignore[arg-type]

    @cached_property
    def count(self) -> int:
        return self._capped[0]

    @property
    def capped(self) -> bool:
        return self._capped[1]

    def page(self, number: Any) -> Any:
        # Past the cap the count is not the end of the list: never cut the page short to it.
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if not self.capped and top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self.object_list[bottom:top], number, self)  # type: ignore[attr-defined]
