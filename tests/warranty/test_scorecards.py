"""S-2 the technician's monthly scorecard ("personal passbook"), O-15 six timely, and the
month close: once, nothing written the second time, re-runnable after a failure."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from aftersales.warranty import people
from aftersales.warranty.models import MonthClose, PenaltyEntry, Scorecard
from tests.conftest import local
from tests.flows.helpers import FULL_REPORT, T0, act, assert_error, frozen, receive, window
from tests.warranty.conftest import wcounts

pytestmark = pytest.mark.django_db

AFTER = local(2027, 1, 2, 9)


def _job(api, clerk, tech, *, ref, late=False, report=FULL_REPORT):
    c, t = api(clerk), api(tech)
    w = local(2026, 12, 7, 10)
    with frozen(T0):
        n = receive(c, source_ref=ref, product={"serial": ref})["number"]
        act(c, n, "assign", {"technician": tech.username})
        act(t, n, "appointment", {**window(w), "agreed_by": "customer"})
    with frozen(w + (timedelta(hours=3) if late else timedelta(minutes=15))):
        act(t, n, "arrive")
        act(t, n, "complete", report)
        act(c, n, "revisit", {"satisfied": True, "score": 5})
        act(c, n, "close")
    return n


def test_s2_card_figures_from_the_month(api, clerk, tech, supervisor):
    _job(api, clerk, tech, ref="A")
    _job(api, clerk, tech, ref="B", late=True)
    with frozen(T0 + timedelta(hours=6)):
        api(supervisor).post(
            "/penalties", {"person": "tech", "rule": "praise", "evidence": "表扬信"}
        )
    with frozen(T0 + timedelta(days=1)):
        card = api(tech).get("/scorecards/tech", month="2026-12").json()
    f = card["figures"]
    assert f["jobs"] == 2 and f["on_time_rate"] == "50.0" and f["timely"]["arrive"] == "50.0"
    assert f["within_sla_rate"] == "100.0" and f["satisfaction"] == "100.0"
    assert card["penalties"] == "50.00" and card["rewards"] == "50.00"
    # both jobs done within 24 h of assignment: 2 × 30 commission
    assert card["commission"] == "60.00" and Decimal(card["earnings"]) == Decimal(60)
    assert card["closed"] is False


def test_s2_technician_sees_only_own_card_manager_all(api, clerk, tech, tech2, manager):
    with frozen(T0):
        assert_error(api(tech).get("/scorecards/tech2", month="2026-12"), 404, "not_found")
        mine = api(tech).get("/scorecards", month="2026-12").json()
        assert [c["person"] for c in mine] == ["tech"]
        everyone = api(manager).get("/scorecards", month="2026-12").json()
    assert {c["person"] for c in everyone} == {"tech", "tech2"}


def test_s2_bad_month_refused(api, tech):
    assert_error(api(tech).get("/scorecards/tech", month="2026-13"), 422, "validation")


def test_s2_close_month_freezes_cards_and_twice_is_refused(api, clerk, tech, manager):
    _job(api, clerk, tech, ref="A")
    with frozen(AFTER):
        r = api(manager).post("/scorecards/close", {"month": "2026-12"})
        assert r.status_code == 201, r.content
        assert Scorecard.objects.get(person=tech).closed
        before = wcounts()
        assert_error(
            api(manager).post("/scorecards/close", {"month": "2026-12"}), 409, "month_closed"
        )
        assert wcounts() == before
        assert api(tech).get("/scorecards/tech", month="2026-12").json()["closed"] is True
        # a supervisor's decision dated in a closed month is refused
        MonthClose.objects.create(month="2027-01", closed_at=AFTER)
        assert_error(
            api(manager).post(
                "/penalties", {"person": "tech", "rule": "phone_off", "evidence": "x"}
            ),
            409,
            "month_closed",
        )


def test_s2_close_month_needs_a_manager_and_a_finished_month(api, supervisor, manager):
    with frozen(AFTER):
        assert_error(
            api(supervisor).post("/scorecards/close", {"month": "2026-12"}), 403, "forbidden"
        )
        assert_error(
            api(manager).post("/scorecards/close", {"month": "2027-01"}), 409, "month_not_over"
        )
    assert MonthClose.objects.count() == 0


def test_s2_close_is_rerunnable_after_a_failure(api, clerk, tech, monkeypatch):
    _job(api, clerk, tech, ref="A")

    def boom(*a, **kw):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Scorecard.objects, "bulk_create", boom)
    with frozen(AFTER), pytest.raises(RuntimeError):
        people.scorecards_close_month(month="2026-12", actor=None, now=AFTER)
    assert Scorecard.objects.count() == 0 and MonthClose.objects.count() == 0
    monkeypatch.undo()
    people.scorecards_close_month(month="2026-12", actor=None, now=AFTER)
    assert Scorecard.objects.get().figures["jobs"] == 1


def test_s2_cli_close_month_twice_exits_with_error(api, clerk, tech, capsys):
    _job(api, clerk, tech, ref="A")
    with frozen(AFTER):
        call_command("scorecards_close_month", "2026-12")
        assert "2026-12 closed: 1 scorecards." in capsys.readouterr().out
        with pytest.raises(CommandError, match="already closed"):
            call_command("scorecards_close_month", "2026-12")
    assert MonthClose.objects.count() == 1


def test_s2_statement_pdf(api, clerk, tech):
    _job(api, clerk, tech, ref="A", late=True)
    with frozen(T0 + timedelta(days=1)):
        r = api(tech).get("/scorecards/tech/2026-12/statement")
    assert r.status_code == 200 and r.content[:4] == b"%PDF"
    assert PenaltyEntry.objects.filter(rule__code="late_arrival").count() == 1


@pytest.mark.parametrize("basis", ["end", "start"])
def test_s2_sql_cards_match_the_domain_rule(api, clerk, tech, tech2, supervisor, basis):
    """The grouped query the pages use gives the same card as the pure rule over the jobs."""
    from aftersales.warranty.models import WarrantyPolicy
    from aftersales.warranty.selectors import policy

    row = WarrantyPolicy.objects.get()
    row.late_basis = basis
    row.save()  # as the admin does: the cached policy is dropped
    _job(api, clerk, tech, ref="A")
    _job(api, clerk, tech, ref="B", late=True, report={**FULL_REPORT, "solution": ""})
    _job(api, clerk, tech2, ref="C", late=True)
    c = api(clerk)
    with frozen(T0 + timedelta(days=2)):
        n = receive(c, source_ref="D", product={"serial": "D"})["number"]
        act(c, n, "assign", {"technician": "tech"})
    with frozen(T0 + timedelta(days=4)):
        act(
            api(tech),
            n,
            "appointment",
            {**window(T0 + timedelta(days=4, hours=2)), "agreed_by": "customer"},
        )
        act(api(tech), n, "part-request", {"part": "电容", "promised_date": "2026-12-20"})
    with frozen(T0 + timedelta(days=4, hours=3)):
        act(api(tech), n, "arrive")
        act(api(tech), n, "complete", FULL_REPORT)
    start, end = people._bounds("2026-12")
    ids = [tech.pk, tech2.pk]
    sql = people.cards_sql(ids, start, end)
    jobs = people._jobs(ids, start, end)
    from aftersales.domain.warranty_scores import scorecard

    for pid in ids:
        assert sql[pid] == scorecard(jobs[pid], targets=policy().targets(), tiers=people._tiers())
    assert sql[tech.pk].jobs == 3 and sql[tech.pk].incomplete_reports == 1
