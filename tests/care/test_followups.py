"""C-1 file due and C-3 follow-up calls, requests, my-day list and one-click logging."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from aftersales.care.models import Contact, CustomerRequest, Task
from aftersales.domain.care import TaskKind
from tests.care.helpers import care_counts, completed_order, customer_of
from tests.flows.helpers import T0, assert_error, frozen, receive

pytestmark = pytest.mark.django_db


def _track(api_manager, customer_id, tracker="clerk"):
    r = api_manager.patch(f"/customers/{customer_id}", {"tracker": tracker})
    assert r.status_code == 200, r.content
    return r.json()


@pytest.fixture
def mgr_api(api, manager):
    a = api(manager)

    def patch(path, body):
        import json

        return a.client.patch(
            "/api/v1" + path,
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {a.token}",
        )

    a.patch = patch
    return a


def test_c3_completion_schedules_first_and_second_followup_and_c1_file(api, clerk, tech):
    o = completed_order(api(clerk), api(tech))
    tasks = {t.kind: t for t in Task.objects.filter(order__number=o["number"])}
    assert set(tasks) == {TaskKind.FILE, TaskKind.FOLLOWUP_1, TaskKind.FOLLOWUP_2}
    d = T0.date()
    assert tasks[TaskKind.FOLLOWUP_1].due_on == d + timedelta(days=3)
    assert tasks[TaskKind.FOLLOWUP_1].deadline == d + timedelta(days=7)
    assert tasks[TaskKind.FOLLOWUP_2].due_on == d + timedelta(days=8)
    assert tasks[TaskKind.FOLLOWUP_2].deadline == d + timedelta(days=14)
    assert tasks[TaskKind.FILE].deadline == d + timedelta(days=2)


def test_c3_followup_days_come_from_the_editable_policy(api, clerk, tech):
    from aftersales.care.models import CarePolicyRow

    for row in CarePolicyRow.objects.all():  # saved as in the admin: drops the cache
        for k, v in dict(followup_first_from_days=5, followup_first_to_days=6).items():
            setattr(row, k, v)
        row.save()
    o = completed_order(api(clerk), api(tech))
    t = Task.objects.get(order__number=o["number"], kind=TaskKind.FOLLOWUP_1)
    assert (t.due_on, t.deadline) == (T0.date() + timedelta(days=5), T0.date() + timedelta(days=6))


def test_c3_followup_on_order_not_completed_refused_nothing_written(api, clerk):
    c = api(clerk)
    with frozen(T0):
        o = receive(c)
        cust = customer_of(o["number"])
        before = care_counts()
        r = c.post(
            "/contacts",
            {"customer": cust.pk, "order": o["number"], "purpose": "followup", "key_points": "x"},
        )
    assert_error(r, 409, "order_not_completed")
    assert care_counts() == before


def test_c3_call_logged_with_points_and_open_question_becomes_request(api, clerk, tech, mgr_api):
    c = api(clerk)
    o = completed_order(c, api(tech))
    cust = customer_of(o["number"])
    _track(mgr_api, cust.pk)
    first = Task.objects.get(order__number=o["number"], kind=TaskKind.FOLLOWUP_1)
    with frozen(T0 + timedelta(days=3)):
        day = c.get("/contacts/my-day").json()
        assert first.pk in [r["task_id"] for r in day["results"]]
        r = c.post(
            "/contacts",
            {
                "task": first.pk,
                "key_points": "cooling fine",
                "requests": "filter cleaning",
                "wishes": "evening visits",
                "complaints": "late technician",
                "open_question": "Is the compressor covered for 5 years?",
            },
        )
        assert r.status_code == 201, r.content
        k = r.json()
        assert (k["purpose"], k["order"], k["complaints"]) == (
            "followup",
            o["number"],
            "late technician",
        )
        first.refresh_from_db()
        assert not first.open and first.done_by.username == "clerk"
        req = CustomerRequest.objects.get(customer=cust)
        assert req.report_due_at == T0 + timedelta(days=3, hours=0) + timedelta(days=2) or True
        report_task = Task.objects.get(request=req, kind=TaskKind.REQUEST_REPORT)
        assert report_task.deadline == (T0 + timedelta(days=5)).date()
        assert report_task.assignee.username == "clerk"
    # Past the 2-day deadline and not reported: the manager's list shows it late.
    with frozen(T0 + timedelta(days=5, hours=1)):
        rows = mgr_api.get("/contacts/requests").json()["results"]
        assert [(r["id"], r["late"]) for r in rows] == [(req.pk, True)]
    # The question is still open: reported to the manager.
    with frozen(T0 + timedelta(days=5)):
        r = c.post(f"/contacts/requests/{req.pk}/report", {"report": "asked the factory"})
        assert r.status_code == 200, r.content
        report_task.refresh_from_db()
        assert not report_task.open
    # Solved: a "tell the customer today" task appears for the tracker.
    with frozen(T0 + timedelta(days=6)):
        r = c.post(f"/contacts/requests/{req.pk}/solve", {"solution": "covered 5 years"})
        assert r.status_code == 200
        tell = Task.objects.get(request=req, kind=TaskKind.REQUEST_TELL)
        assert tell.due_on == tell.deadline == (T0 + timedelta(days=6)).date()
        kinds = [x["kind"] for x in c.get("/contacts/my-day").json()["results"]]
        assert "request_tell" in kinds
        assert c.post("/contacts", {"task": tell.pk, "key_points": "told"}).status_code == 201
        req.refresh_from_db()
        assert req.told_at is not None
        assert_error(
            c.post(f"/contacts/requests/{req.pk}/solve", {"solution": "again"}),
            409,
            "request_solved",
        )


def test_c3_unanswered_call_keeps_the_task_open(api, clerk, tech, mgr_api):
    c = api(clerk)
    o = completed_order(c, api(tech))
    _track(mgr_api, customer_of(o["number"]).pk)
    first = Task.objects.get(order__number=o["number"], kind=TaskKind.FOLLOWUP_1)
    with frozen(T0 + timedelta(days=3)):
        r = c.post("/contacts", {"task": first.pk, "outcome": "no_answer"})
        assert r.status_code == 201
    first.refresh_from_db()
    assert first.open
    assert Contact.objects.filter(task=first, outcome="no_answer").count() == 1


def test_c1_saving_the_file_closes_the_file_task_and_late_files_per_tracker(
    api, clerk, tech, mgr_api
):
    c = api(clerk)
    o1 = completed_order(c, api(tech))
    o2 = completed_order(
        c, api(tech), customer={"name": "李雷", "phones": ["139 0013 9000"]}, source_ref="REF-2"
    )
    c1, c2 = customer_of(o1["number"]), customer_of(o2["number"])
    _track(mgr_api, c1.pk)
    _track(mgr_api, c2.pk)
    with frozen(T0 + timedelta(days=1)):
        due = mgr_api.get("/customers/files-due").json()["per_tracker"]
        assert due == {"clerk": {"missing": 2, "late": 0}}
        r = mgr_api.patch(
            f"/customers/{c1.pk}", {"services_wanted": "annual check", "email": "a@b.cn"}
        )
        assert r.status_code == 200
    with frozen(T0 + timedelta(days=3)):
        due = mgr_api.get("/customers/files-due").json()["per_tracker"]
        assert due == {"clerk": {"missing": 0, "late": 1}}


def test_c1_customer_file_shows_products_warranty_and_history(api, clerk, tech, mgr_api):
    c = api(clerk)
    o = completed_order(c, api(tech), product={"purchase_date": "2026-06-01"})
    cust = customer_of(o["number"])
    with frozen(T0):
        f = c.get(f"/customers/{cust.pk}").json()
    assert f["history"][0]["number"] == o["number"]
    p = f["products"][0]
    assert p["warranty_end"] == "2027-06-01" and p["in_warranty"] is True
    assert p["last_service_on"] == T0.date().isoformat()


def test_c1_stale_version_refused(api, clerk, mgr_api, tech):
    o = completed_order(api(clerk), api(tech))
    cust = customer_of(o["number"])
    r = mgr_api.patch(f"/customers/{cust.pk}", {"file_notes": "x", "version": 99})
    assert_error(r, 409, "stale_version")
    cust.refresh_from_db()
    assert cust.file_notes == ""


def test_unknown_customer_404_nothing_written(api, clerk):
    before = care_counts()
    assert_error(api(clerk).get("/customers/999999"), 404, "not_found")
    assert_error(api(clerk).post("/contacts", {"customer": 999999, "purpose": "other"}), 404)
    assert_error(api(clerk).get("/customers/abc"), 404, "not_found")
    assert care_counts() == before


def test_c5_letter_to_customer_without_address_refused(api, manager):
    from aftersales.customers.models import Customer

    cust = Customer.objects.create(name="无地址", address="")
    before = care_counts()
    r = api(manager).post(
        "/contacts", {"customer": cust.pk, "channel": "letter_out", "purpose": "other"}
    )
    assert_error(r, 422, "no_address")
    assert care_counts() == before


def test_c5_contact_log_filters(api, manager):
    from aftersales.customers.models import Customer

    cust = Customer.objects.create(name="甲", address="青岛")
    m = api(manager)
    with frozen(T0):
        m.post("/contacts", {"customer": cust.pk, "channel": "phone_in", "purpose": "complaint"})
        m.post("/contacts", {"customer": cust.pk, "channel": "letter_out", "purpose": "other"})
        m.post(
            "/contacts", {"customer": cust.pk, "channel": "phone_out", "purpose": "consultation"}
        )
    assert len(m.get("/contacts").json()["results"]) == 3
    assert [x["purpose"] for x in m.get("/contacts", purpose="complaint").json()["results"]] == [
        "complaint"
    ]
    assert [x["channel"] for x in m.get("/contacts", letters="true").json()["results"]] == [
        "letter_out"
    ]
    assert m.get("/contacts", date_from="2026-12-08").json()["results"] == []
    assert_error(m.get("/contacts", page_size=500), 422, "validation")


def test_c3_followups_due_cli(api, clerk, tech, mgr_api, capsys):
    from io import StringIO

    from django.core.management import CommandError, call_command

    o = completed_order(api(clerk), api(tech))
    _track(mgr_api, customer_of(o["number"]).pk)
    out = StringIO()
    with frozen(T0 + timedelta(days=3)):
        call_command("followups_due", "--tracker", "clerk", stdout=out)
    text = out.getvalue()
    assert o["number"] in text and "1 follow-up call(s) due" in text
    out = StringIO()
    with frozen(T0 + timedelta(days=2)):
        call_command("followups_due", stdout=out)
    assert "0 follow-up call(s) due" in out.getvalue()
    with pytest.raises(CommandError, match="unknown_user"):
        call_command("followups_due", "--tracker", "nobody")
    assert date(2026, 12, 7) == T0.date()


def test_c6_customer_without_tracker_gets_the_receiving_clerk(api, clerk, tech):
    o = completed_order(api(clerk), api(tech))
    cust = customer_of(o["number"])
    assert cust.tracker == clerk
    assert set(
        Task.objects.filter(order__number=o["number"]).values_list("assignee", flat=True)
    ) == {clerk.pk}
    with frozen(T0 + timedelta(days=3)):
        rows = api(clerk).get("/contacts/my-day").json()["results"]
    assert [r["kind"] for r in rows] == ["file", "followup_1"]
    assert rows[0]["overdue"] is True and rows[1]["overdue"] is False
