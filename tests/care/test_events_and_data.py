"""C-4 events, C-5 XLSX forms, visibility per role, masking, export and erasure."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from aftersales.care.models import Contact, Event, Invitation, Task
from aftersales.customers.models import Customer, CustomerPhone, CustomerProduct
from aftersales.domain.care import TaskKind
from aftersales.orders.models import Order
from tests.care.helpers import care_counts, completed_order, customer_of
from tests.flows.helpers import T0, assert_error, frozen

pytestmark = pytest.mark.django_db


def _cust(name, cls="A", address="青岛市 8 号", region="Qingdao", email="", tracker=None):
    c = Customer.objects.create(
        name=name, care_class=cls, address=address, region=region, email=email, tracker=tracker
    )
    CustomerPhone.objects.create(customer=c, number=f"+86138001{c.pk:05d}")
    CustomerProduct.objects.create(customer=c, category="vehicle", plate=f"鲁B{c.pk:05d}")
    return c


def test_c4_event_invites_targets_by_filter_with_calls_two_weeks_before(api, manager, clerk):
    a = _cust("A客户", "A", tracker=clerk)
    _cust("B客户", "B")
    _cust("青岛外", "A", region="Jinan")
    m = api(manager)
    with frozen(T0):
        r = m.post(
            "/events",
            {
                "title": "免费检测周",
                "kind": "free_check",
                "starts_on": "2027-01-10",
                "place": "4S 店",
                "filters": {"care_class": ["A"], "region": ["Qingdao"], "category": ["vehicle"]},
            },
        )
        assert r.status_code == 201, r.content
        ev = r.json()
    assert ev["invited"] == 1
    t = Task.objects.get(kind=TaskKind.EVENT_CALL)
    assert (t.customer, t.due_on, t.assignee) == (a, T0.date().replace(day=27), clerk)
    with frozen(T0 + timedelta(days=20)):
        kinds = [x["kind"] for x in api(clerk).get("/contacts/my-day").json()["results"]]
        assert kinds == ["event_call"]
        assert (
            api(clerk).post("/contacts", {"task": t.pk, "key_points": "invited"}).status_code == 201
        )
        r = api(clerk).post(f"/events/{ev['id']}/replies", {"customer": a.pk, "reply": "yes"})
        assert r.status_code == 200
    inv = Invitation.objects.get()
    assert inv.reply == "yes" and inv.sent_via == "phone"
    assert Contact.objects.filter(event_id=ev["id"]).count() == 2


def test_c4_event_in_the_past_refused_nothing_written(api, manager):
    _cust("x")
    before = care_counts()
    with frozen(T0):
        r = api(manager).post("/events", {"title": "t", "starts_on": "2026-12-06", "place": "p"})
    assert_error(r, 422, "event_in_past")
    assert care_counts() == before


def test_c4_event_bad_class_filter_and_roles(api, manager, clerk):
    with frozen(T0):
        r = api(manager).post(
            "/events",
            {
                "title": "t",
                "starts_on": "2027-01-01",
                "place": "p",
                "filters": {"care_class": ["Z"]},
            },
        )
        assert_error(r, 422, "class_invalid")
        r = api(clerk).post("/events", {"title": "t", "starts_on": "2027-01-01", "place": "p"})
        assert_error(r, 403, "forbidden")
    assert Event.objects.count() == 0


def test_c4_invitations_sent_through_file_backend_and_logged(api, manager, tmp_path, settings):
    settings.CARE_MESSAGE_DIR = str(tmp_path)
    _cust("有地址")
    _cust("无地址", address="")
    m = api(manager)
    with frozen(T0):
        ev = m.post("/events", {"title": "服务月", "starts_on": "2027-01-10", "place": "店"}).json()
        r = m.post(f"/events/{ev['id']}/send", {"backend": "file"})
        assert r.json() == {"sent": 1, "skipped": 1}
        assert m.post(f"/events/{ev['id']}/send", {"backend": "file"}).json() == {
            "sent": 0,
            "skipped": 1,
        }
        assert_error(m.post(f"/events/{ev['id']}/send", {"backend": "pigeon"}), 422, "validation")
    lines = (tmp_path / "outbox.jsonl").read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["subject"] == "服务月"
    assert Contact.objects.filter(channel="letter_out", purpose="event").count() == 1


def test_c4_email_backend_uses_django_mail(api, manager, mailoutbox):
    _cust("邮件", email="kim@example.com")
    m = api(manager)
    with frozen(T0):
        ev = m.post(
            "/events", {"title": "车主俱乐部", "starts_on": "2027-01-10", "place": "店"}
        ).json()
        assert m.post(f"/events/{ev['id']}/send", {"backend": "email"}).json()["sent"] == 1
    assert [x.to for x in mailoutbox] == [["kim@example.com"]]


def test_c5_four_forms_exported_as_xlsx_masked_for_parts_keeper(api, manager, make_user, clerk):
    c = _cust("王芳", tracker=clerk)
    m = api(manager)
    with frozen(T0):
        m.post("/contacts", {"customer": c.pk, "channel": "phone_out", "purpose": "consultation"})
        m.post(
            "/contacts",
            {"customer": c.pk, "channel": "phone_in", "purpose": "complaint", "complaints": "噪音"},
        )
        m.post(
            "/contacts",
            {"customer": c.pk, "channel": "letter_out", "purpose": "other", "subject": "通知"},
        )
    sheets = {}
    for form in ("file", "record", "register", "letters"):
        r = m.get("/contacts/export", form=form)
        assert r.status_code == 200, r.content[:300]
        ws = load_workbook(io.BytesIO(r.content)).active
        sheets[form] = [list(row) for row in ws.iter_rows(values_only=True)]
    assert sheets["file"][1][0] == "王芳" and sheets["file"][1][5].startswith("鲁B")
    assert len(sheets["record"]) == 3 and sheets["record"][1][8] == "噪音"
    assert len(sheets["register"]) == 3
    assert len(sheets["letters"]) == 2 and sheets["letters"][1][5] == "通知"
    assert "+86138001" in sheets["register"][1][2]
    assert_error(m.get("/contacts/export", form="nope"), 422, "validation")
    # A parts keeper sees only customers with orders at their outlet: none here.
    keeper = make_user("keeper", "parts_keeper")
    ws = load_workbook(io.BytesIO(api(keeper).get("/contacts/export", form="file").content)).active
    assert list(ws.iter_rows(values_only=True))[1:] == []  # no order at their outlet: not visible


def test_visibility_outlet_tracker_technician_and_masking(
    api, clerk, tech, make_user, other_outlet
):
    o = completed_order(api(clerk), api(tech))
    cust = customer_of(o["number"])
    other_clerk = make_user("clerk_jn", "clerk", outlet=other_outlet)
    keeper = make_user("keeper", "parts_keeper")
    assert api(clerk).get(f"/customers/{cust.pk}").status_code == 200
    assert_error(api(other_clerk).get(f"/customers/{cust.pk}"), 404, "not_found")
    before = care_counts()
    assert_error(api(other_clerk).post("/contacts", {"customer": cust.pk, "purpose": "other"}), 404)
    assert care_counts() == before
    # The assigned technician sees the customer but does not keep care contacts.
    assert api(tech).get(f"/customers/{cust.pk}").status_code == 200
    assert_error(api(tech).post("/contacts", {"customer": cust.pk, "purpose": "other"}), 403)
    # A parts keeper at the outlet sees the file with phone and address masked.
    f = api(keeper).get(f"/customers/{cust.pk}").json()
    assert f["phones"][0].startswith("+86") and "*" in f["phones"][0]
    assert "*" in f["address"]
    full = api(clerk).get(f"/customers/{cust.pk}").json()
    assert "*" not in full["phones"][0]
    # Tracked customers are visible to their tracker from another outlet.
    Customer.objects.filter(pk=cust.pk).update(tracker=other_clerk)
    assert api(other_clerk).get(f"/customers/{cust.pk}").status_code == 200


def test_customer_export_and_erase_keep_order_history(api, manager, clerk, tech):
    o = completed_order(api(clerk), api(tech))
    cust = customer_of(o["number"])
    m = api(manager)
    with frozen(T0):
        m.post(
            "/contacts", {"customer": cust.pk, "channel": "phone_out", "purpose": "consultation"}
        )
    data = m.get(f"/customers/{cust.pk}/export").json()
    assert data["customer"]["name"] == "王芳" and len(data["contacts"]) == 1
    assert data["orders"][0]["number"] == o["number"]
    assert_error(api(clerk).post(f"/customers/{cust.pk}/erase"), 403, "forbidden")
    r = m.post(f"/customers/{cust.pk}/erase")
    assert r.status_code == 200 and r.json()["name"].startswith("erased-")
    order = Order.objects.get(number=o["number"])
    assert order.contact_name.startswith("erased-") and order.contact_phones == []
    assert order.status == "completed"  # history kept
    last = order.events.order_by("-pk").first()
    assert last is not None and last.action == "pseudonymise" and last.actor == manager
    assert not CustomerPhone.objects.filter(customer=cust).exists()
    assert Contact.objects.get(customer=cust).phone == ""
    assert_error(m.post(f"/customers/{cust.pk}/erase"), 409, "customer_erased")
