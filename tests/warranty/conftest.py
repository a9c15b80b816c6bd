from __future__ import annotations

import pytest

from aftersales.warranty.models import (
    Compensation,
    Complaint,
    ComplaintStep,
    ExpenseClaim,
    ExtendedWarranty,
    MonthClose,
    PenaltyEntry,
    ProofOfPurchase,
    Quote,
    QuoteLine,
    ReturnPhoto,
    ReturnRequest,
    Scorecard,
    Trip,
)


@pytest.fixture
def supervisor(make_user):
    return make_user("sup", "supervisor")


@pytest.fixture
def supervisor2(make_user):
    return make_user("sup2", "supervisor")


def wcounts() -> dict[str, int]:
    from tests.flows.helpers import counts

    return counts() | {
        m.__name__: m.objects.count()
        for m in (
            Complaint,
            ComplaintStep,
            Compensation,
            ExpenseClaim,
            ExtendedWarranty,
            MonthClose,
            PenaltyEntry,
            ProofOfPurchase,
            Quote,
            QuoteLine,
            ReturnPhoto,
            ReturnRequest,
            Scorecard,
            Trip,
        )
    }
