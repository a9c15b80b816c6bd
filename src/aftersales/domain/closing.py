"""O-8: the closing standard (封单). Every path that closes an order calls `check_close`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .codes import Status
from .errors import conflict
from .policy import Policy
from .results import ResultKind


@dataclass(frozen=True)
class CloseFacts:
    status: Status
    last_revisit_satisfied: bool | None
    last_result_kind: ResultKind | None
    last_result_data: dict[str, object]
    arrived_at: datetime | None


def close_ground(f: CloseFacts, policy: Policy) -> str:
    """Which of O-8's grounds allows closing ('satisfied', 'no_time', 'refused'), or a 409."""
    if f.status == Status.REVISITED:
        if f.last_revisit_satisfied:
            return "satisfied"
        raise conflict(
            "close_not_satisfied",
            "The customer is not satisfied: the order stays open until they are (一票到底).",
        )
    if f.status == Status.PENDING and f.last_result_kind == ResultKind.NO_TIME:
        days = f.last_result_data.get("days")
        if isinstance(days, int) and days >= policy.no_time_days:
            return "no_time"
        raise conflict(
            "close_no_time_too_short",
            f"Close for 'no time' only when the customer has no time within the next "
            f"{policy.no_time_days} days.",
            days=policy.no_time_days,
        )
    if f.status == Status.PENDING and f.last_result_kind == ResultKind.REFUSED_REPAIR:
        if f.arrived_at is not None:
            return "refused"
        raise conflict(
            "close_refusal_not_on_site",
            "A refusal closes the order only when it was stated on site.",
        )
    raise conflict(
        "close_unfinished",
        "Only a completed order whose revisit found the customer satisfied, a customer with no "
        "time in the coming days, or a refusal on site can be closed.",
    )
