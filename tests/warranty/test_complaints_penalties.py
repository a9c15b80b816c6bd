"""O-16 complaints and S-1 rules with amounts: automatic where the system sees the event,
by a supervisor's decision otherwise; every entry carries its evidence."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftersales.warranty.models import Complaint, PenaltyEntry, PenaltyRule
from tests.conftest import local
from tests.flows.helpers import FULL_REPORT, T0, act, assert_error, frozen, receive, window
from tests.warranty.conftest import wcounts

pytestmark = pytest.mark.django_db

W = local(2026, 12, 7, 10, 0)  # window 10:00–12:00


@pytest.fixture
def contacted(api, clerk, tech):
    c, t = api(clerk), api(tech)
    with frozen(T0):
        n = receive(c)["number"]
        act(c, n, "assign", {"technician": "tech"})
        act(t, n, "appointment", {**window(W), "agreed_by": "customer"})
    return n


def _complaint(client, **kw):
    body = {
        "channel": "call",
        "category": "quarrel",
        "summary": "师傅态度差",
        "apology": "已致歉",
    } | kw
    return client.post("/complaints", body)


def test_o16_complaint_apology_is_the_first_step(api, clerk, tech, contacted):
    with frozen(T0):
        r = _complaint(api(clerk), order=contacted)
    assert r.status_code == 201, r.content
    c = r.json()
    assert (c["person"], c["order"], c["status"]) == ("tech", contacted, "open")
    assert [s["kind"] for s in c["steps"]] == ["apology"]


def test_o16_complaint_without_apology_refused_nothing_written(api, clerk, contacted):
    before = wcounts()
    with frozen(T0):
        r = _complaint(api(clerk), order=contacted, apology="")
    err = assert_error(r, 422, "validation")
    assert "apology" in err["fields"]
    assert wcounts() == before


def test_o16_unknown_category_refused(api, clerk, contacted):
    with frozen(T0):
        assert_error(_complaint(api(clerk), order=contacted, category="rude"), 422, "validation")
    assert Complaint.objects.count() == 0


def test_s1_complaint_found_at_fault_books_penalty_and_major_demerit(
    api, clerk, tech, supervisor, contacted
):
    with frozen(T0):
        cid = _complaint(api(clerk), order=contacted).json()["id"]
        api(clerk).post(
            f"/complaints/{cid}/steps", {"kind": "investigation", "note": "回访客户与师傅"}
        )
        # a clerk may not make the finding
        assert_error(
            api(clerk).post(
                f"/complaints/{cid}/steps", {"kind": "finding", "note": "x", "at_fault": True}
            ),
            403,
            "forbidden",
        )
        assert_error(
            api(supervisor).post(
                f"/complaints/{cid}/steps",
                {"kind": "finding", "note": "属实", "at_fault": True, "amount": "1001"},
            ),
            422,
            "amount_out_of_range",
        )
        assert (
            PenaltyEntry.objects.count() == 0 and Complaint.objects.get().status == "investigating"
        )
        out = (
            api(supervisor)
            .post(
                f"/complaints/{cid}/steps",
                {"kind": "finding", "note": "属实", "at_fault": True, "amount": "300"},
            )
            .json()
        )
        assert (out["status"], out["at_fault"]) == ("found", True)
        closed = (
            api(clerk)
            .post(f"/complaints/{cid}/steps", {"kind": "closure", "note": "客户接受"})
            .json()
        )
    assert [s["kind"] for s in closed["steps"]] == [
        "apology",
        "investigation",
        "finding",
        "closure",
    ]
    entries = {e.rule.code: e for e in PenaltyEntry.objects.select_related("rule")}
    assert set(entries) == {"complaint_at_fault", "major_demerit"}
    assert (
        entries["complaint_at_fault"].amount == 300 and entries["complaint_at_fault"].person == tech
    )
    assert f"Complaint #{cid}" in entries["complaint_at_fault"].evidence
    assert entries["major_demerit"].points == 1


def test_o16_closure_before_finding_refused(api, clerk, contacted):
    with frozen(T0):
        cid = _complaint(api(clerk), order=contacted).json()["id"]
        assert_error(
            api(clerk).post(f"/complaints/{cid}/steps", {"kind": "closure", "note": "x"}),
            409,
            "complaint_step_order",
        )


def test_o16_technician_sees_only_complaints_about_them(api, clerk, tech, tech2, contacted):
    with frozen(T0):
        cid = _complaint(api(clerk), order=contacted).json()["id"]
        assert api(tech).get(f"/complaints/{cid}").status_code == 200
        assert_error(api(tech2).get(f"/complaints/{cid}"), 404, "not_found")
        assert_error(_complaint(api(tech), order=contacted), 403, "forbidden")


def test_s1_late_arrival_after_window_end_is_booked_automatically(api, tech, contacted):
    t = api(tech)
    with frozen(W + timedelta(hours=2, minutes=5)):
        act(t, contacted, "start-travel")
        act(t, contacted, "arrive")
    e = PenaltyEntry.objects.get()
    assert (e.rule.code, e.amount, e.person, e.automatic, e.order.number) == (
        "late_arrival",
        50,
        tech,
        True,
        contacted,
    )
    assert "arrived 2026-12-07 12:05" in e.evidence and "10:00" in e.evidence


def test_s1_arrival_inside_window_books_nothing(api, tech, contacted):
    with frozen(W + timedelta(minutes=30)):
        act(api(tech), contacted, "arrive")
    assert PenaltyEntry.objects.count() == 0


def test_s1_incomplete_report_booked_once(api, clerk, tech, contacted):
    t = api(tech)
    with frozen(W + timedelta(minutes=30)):
        act(t, contacted, "arrive")
        act(t, contacted, "complete", {**FULL_REPORT, "solution": ""})
        act(api(clerk), contacted, "revisit", {"satisfied": True})
        act(api(clerk), contacted, "close")
    e = PenaltyEntry.objects.get()
    assert (e.rule.code, e.amount) == ("incomplete_report", 20)
    assert "solution" in e.evidence


def test_s1_multiple_contact_booked_on_the_responsible_person(api, clerk, tech, contacted):
    with frozen(W + timedelta(minutes=20)):
        act(api(clerk), contacted, "call", {"note": "客户催"})
    e = PenaltyEntry.objects.get()
    assert (e.rule.code, e.person) == ("multiple_contact", tech)
    assert "late_for_window" in e.evidence


def test_s1_inactive_rule_books_nothing(api, tech, contacted):
    PenaltyRule.objects.filter(code="late_arrival").update(active=False)
    with frozen(W + timedelta(hours=3)):
        act(api(tech), contacted, "arrive")
    assert PenaltyEntry.objects.count() == 0


def test_s1_supervisor_decision_needs_evidence(api, supervisor, tech):
    s = api(supervisor)
    before = wcounts()
    with frozen(T0):
        r = s.post(
            "/penalties", {"person": "tech", "rule": "disobeying_dispatch", "evidence": "  "}
        )
        assert_error(r, 422, "evidence_required")
        assert wcounts() == before
        r = s.post(
            "/penalties",
            {"person": "tech", "rule": "disobeying_dispatch", "evidence": "12-07 拒绝改派单"},
        )
    assert r.status_code == 201, r.content
    assert (r.json()["amount"], r.json()["decided_by"], r.json()["automatic"]) == (
        "100.00",
        "sup",
        False,
    )


def test_s1_technician_cannot_book_and_cannot_see_others(api, supervisor, tech, tech2):
    with frozen(T0):
        assert_error(
            api(tech).post("/penalties", {"person": "tech2", "rule": "phone_off", "evidence": "x"}),
            403,
            "forbidden",
        )
        api(supervisor).post(
            "/penalties", {"person": "tech2", "rule": "phone_off", "evidence": "关机"}
        )
        assert api(tech).get("/penalties").json() == []
        assert len(api(tech2).get("/penalties").json()) == 1


def test_s1_unknown_rule_and_own_entry_refused(api, supervisor):
    with frozen(T0):
        assert_error(
            api(supervisor).post(
                "/penalties", {"person": "sup", "rule": "phone_off", "evidence": "x"}
            ),
            409,
            "own_entry",
        )
        assert_error(
            api(supervisor).post("/penalties", {"person": "sup", "rule": "nope", "evidence": "x"}),
            409,
            "own_entry",
        )
    assert PenaltyEntry.objects.count() == 0


def test_s1_rule_table_lists_seed_amounts(api, clerk):
    rules = {r["code"]: r for r in api(clerk).get("/penalties/rules").json()}
    assert rules["late_arrival"]["amount"] == "50.00"
    assert rules["incomplete_report"]["amount"] == "20.00"
    assert rules["disobeying_dispatch"]["amount"] == "100.00"
    assert (
        rules["complaint_at_fault"]["min_amount"],
        rules["complaint_at_fault"]["max_amount"],
    ) == ("100.00", "1000.00")
