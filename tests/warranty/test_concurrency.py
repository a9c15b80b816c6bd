"""Two deciders at once on PostgreSQL: exactly one approval, exactly one month close."""

from __future__ import annotations

import importlib
from datetime import datetime

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from aftersales.warranty import people, services
from aftersales.warranty.models import MonthClose, ReturnRequest, Scorecard
from tests.concurrency import race
from tests.flows.helpers import act, receive

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real row locks"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def warranty_data(reference_data):
    importlib.import_module("aftersales.warranty.migrations.0002_seed_defaults").seed(apps, None)


def test_w3_two_supervisors_approve_at_once_one_wins(warranty_data, api, clerk, tech, make_user):
    s1, s2 = make_user("s1", "supervisor"), make_user("s2", "supervisor")
    today = timezone.localdate().isoformat()
    n = receive(api(clerk), product={"purchase_date": today})["number"]
    act(api(clerk), n, "assign", {"technician": "tech"})
    req = services.return_request(
        actor=tech, number=n, data={"kind": "return", "reason": "不制冷"}, now=timezone.now()
    )
    body = {"approve": True, "reason": "ok"}
    outcomes = race(
        lambda: services.return_decide(actor=s1, pk=req.pk, data=body, now=timezone.now()),
        lambda: services.return_decide(actor=s2, pk=req.pk, data=body, now=timezone.now()),
    )
    assert outcomes == ["already_decided", "ok"]
    assert ReturnRequest.objects.get().status == "approved"


def test_s2_two_month_closes_at_once_one_wins(warranty_data, tech, manager):
    now = timezone.now()
    month = people.month_of(datetime(2026, 1, 15, tzinfo=now.tzinfo))
    outcomes = race(
        lambda: people.scorecards_close_month(month=month, actor=manager, now=now),
        lambda: people.scorecards_close_month(month=month, actor=manager, now=now),
    )
    assert outcomes == ["month_closed", "ok"]
    assert MonthClose.objects.count() == 1 and Scorecard.objects.filter(month=month).count() == 1
