"""O-8: the closing standard (封单)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from aftersales.domain.closing import CloseFacts, close_ground
from aftersales.domain.codes import Status
from aftersales.domain.errors import DomainError
from aftersales.domain.policy import DEFAULT_POLICY, Policy
from aftersales.domain.results import ResultKind

TZ = ZoneInfo("Asia/Shanghai")
ARRIVED = datetime(2025, 3, 24, 10, 5, tzinfo=TZ)


def cf(
    status: Status,
    satisfied: bool | None = None,
    kind: ResultKind | None = None,
    data: dict[str, object] | None = None,
    arrived_at: datetime | None = None,
) -> CloseFacts:
    return CloseFacts(status, satisfied, kind, data or {}, arrived_at)


def refused(f: CloseFacts, policy: Policy = DEFAULT_POLICY) -> DomainError:
    with pytest.raises(DomainError) as exc:
        close_ground(f, policy)
    assert exc.value.status == 409
    return exc.value


def test_o8_satisfied_revisit_closes() -> None:
    assert close_ground(cf(Status.REVISITED, satisfied=True), DEFAULT_POLICY) == "satisfied"


@pytest.mark.parametrize("satisfied", [False, None])
def test_o8_not_satisfied_revisit_refused(satisfied: bool | None) -> None:
    err = refused(cf(Status.REVISITED, satisfied=satisfied))
    assert err.code == "close_not_satisfied"


@pytest.mark.parametrize("days", [7, 8, 30])
def test_o8_no_time_at_or_above_policy_days_closes(days: int) -> None:
    f = cf(Status.PENDING, kind=ResultKind.NO_TIME, data={"days": days, "stated_by": "customer"})
    assert close_ground(f, DEFAULT_POLICY) == "no_time"


@pytest.mark.parametrize("days", [1, 6])
def test_o8_no_time_below_policy_days_refused(days: int) -> None:
    f = cf(Status.PENDING, kind=ResultKind.NO_TIME, data={"days": days})
    err = refused(f)
    assert err.code == "close_no_time_too_short"
    assert err.params["days"] == 7
    assert "7 days" in err.message


def test_o8_no_time_without_days_refused() -> None:
    err = refused(cf(Status.PENDING, kind=ResultKind.NO_TIME, data={}))
    assert err.code == "close_no_time_too_short"


def test_o8_no_time_threshold_follows_policy() -> None:
    f = cf(Status.PENDING, kind=ResultKind.NO_TIME, data={"days": 7})
    assert refused(f, Policy(no_time_days=10)).code == "close_no_time_too_short"
    assert close_ground(f, Policy(no_time_days=5)) == "no_time"


def test_o8_refused_repair_on_site_closes() -> None:
    f = cf(Status.PENDING, kind=ResultKind.REFUSED_REPAIR, arrived_at=ARRIVED)
    assert close_ground(f, DEFAULT_POLICY) == "refused"


def test_o8_refused_repair_without_arrival_refused() -> None:
    err = refused(cf(Status.PENDING, kind=ResultKind.REFUSED_REPAIR))
    assert err.code == "close_refusal_not_on_site"


@pytest.mark.parametrize(
    "facts",
    [
        cf(Status.RECEIVED),
        cf(Status.ON_SITE, arrived_at=ARRIVED),
        cf(Status.COMPLETED, satisfied=True, arrived_at=ARRIVED),
        cf(Status.PENDING, kind=ResultKind.WAITING_PARTS, data={"part": "pump"}),
        cf(Status.PENDING, kind=ResultKind.UNREACHABLE),
        cf(Status.PENDING),
        # A 'no time' result on a non-pending order is not a ground.
        cf(Status.ON_SITE, kind=ResultKind.NO_TIME, data={"days": 30}),
    ],
    ids=[
        "received",
        "on_site",
        "completed_not_revisited",
        "waiting_parts",
        "unreachable",
        "pending_no_result",
        "on_site_no_time",
    ],
)
def test_o8_unfinished_order_refused(facts: CloseFacts) -> None:
    err = refused(facts)
    assert err.code == "close_unfinished"
