"""Every care list exports to CSV and XLSX with the filters on screen, masked as on screen
(aftersales.core.export)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from aftersales.care import lists
from aftersales.care.jobs import run_schedules
from aftersales.care.models import TASK_LABELS
from aftersales.customers.models import Customer, CustomerPhone, CustomerProduct
from aftersales.domain.care import TaskKind
from tests.flows.helpers import T0, frozen, receive

pytestmark = pytest.mark.django_db


def _cust(name, cls, tracker=None, phone=None):
    c = Customer.objects.create(
        name=name,
        care_class=cls,
        address="青岛市 8 号",
        tracker=tracker,
        next_contact_due=T0.date() - timedelta(days=5),
    )
    CustomerPhone.objects.create(customer=c, number=phone or f"+86138001{c.pk:05d}")
    CustomerProduct.objects.create(
        customer=c,
        category="vehicle",
        plate=f"鲁B{c.pk:05d}",
        next_maintenance_due=T0.date() - timedelta(days=70),
    )
    return c


@pytest.fixture
def data(api, manager, clerk):
    a = _cust("甲", "A", tracker=clerk)
    _cust("乙", "C", tracker=clerk)
    m = api(manager)
    with frozen(T0 - timedelta(days=3)):
        run_schedules()
    with frozen(T0):
        m.post(
            "/contacts",
            {
                "customer": a.pk,
                "channel": "phone_out",
                "purpose": "consultation",
                "open_question": "保修多久?",
            },
        )
        m.post(
            "/contacts",
            {"customer": a.pk, "channel": "letter_out", "purpose": "other", "subject": "通知"},
        )
        ev = m.post("/events", {"title": "车主俱乐部", "starts_on": "2027-01-10", "place": "店"})
        assert ev.status_code == 201, ev.content
        m.post(
            "/contacts/substitutions",
            {"tracker": "clerk", "substitute": "boss", "start": "2026-12-20", "end": "2026-12-22"},
        )
        m.post("/contacts", {"customer": a.pk, "purpose": "loss", "loss_cause": "搬家"})
    return a


def _csv(resp):
    assert resp.status_code == 200, resp.content[:300]
    assert resp["Content-Type"].startswith("text/csv")
    text = b"".join(resp.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _xlsx(resp):
    assert resp.status_code == 200, getattr(resp, "content", b"")[:300]
    assert "spreadsheetml" in resp["Content-Type"]
    ws = load_workbook(io.BytesIO(b"".join(resp.streaming_content))).active
    return [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]


def _get(client, url, **params):
    with frozen(T0):
        return client.get(url, params)


@pytest.mark.parametrize("name", sorted(lists.LISTS))
def test_every_list_page_and_both_exports(client, manager, data, name):
    client.force_login(manager)
    url = f"/care/lists/{name}/"
    page = _get(client, url)
    assert page.status_code == 200
    assert "format=csv" in page.content.decode()
    headers = [str(h) for h in lists.LISTS[name].headers]
    c = _csv(_get(client, url, format="csv"))
    x = _xlsx(_get(client, url, format="xlsx"))
    assert c[0] == headers and x[0] == headers
    # the same rows in both formats (XLSX keeps numbers and dates typed, compare loosely)
    assert len(c) == len(x)
    expect_rows = {
        "customers",
        "contacts",
        "requests",
        "overdue",
        "lost",
        "loss-causes",
        "events",
        "invitations",
        "substitutions",
    }
    if name in expect_rows:
        assert len(c) > 1, name


def test_exports_respect_the_filters_on_screen(client, manager, data):
    client.force_login(manager)
    rows = _csv(_get(client, "/care/lists/customers/", format="csv", care_class="A"))
    assert [r[1] for r in rows[1:]] == ["甲"]
    rows = _csv(_get(client, "/care/lists/customers/", format="csv", q="乙"))
    assert [r[1] for r in rows[1:]] == ["乙"]
    letters = _csv(_get(client, "/care/contacts/", format="csv", letters="1"))
    assert [r[8] for r in letters[1:]] == ["通知"]
    calls = _xlsx(_get(client, "/care/contacts/", format="xlsx", letters="0"))
    assert len(calls) == 3 and "通知" not in [r[8] for r in calls]
    overdue = _csv(_get(client, "/care/lists/overdue/", format="csv", care_class="C"))
    assert [r[1] for r in overdue[1:]] == ["乙"]
    assert _csv(_get(client, "/care/lists/substitutions/", format="csv", on="2026-12-25"))[1:] == []
    assert len(_csv(_get(client, "/care/lists/substitutions/", format="csv", on="2026-12-21"))) == 2


def test_my_day_and_events_pages_export(client, clerk, manager, data):
    client.force_login(clerk)
    page = _csv(_get(client, "/care/", format="csv"))
    assert {r[1] for r in page[1:]} == {"甲", "乙"}
    only = _csv(_get(client, "/care/", format="csv", kind="loss_call"))
    assert {r[3] for r in only[1:]} == {str(TASK_LABELS[TaskKind.LOSS_CALL])}
    client.force_login(manager)
    ev = _xlsx(_get(client, "/care/events/", format="xlsx"))
    assert ev[1][1] == "车主俱乐部"


def test_exports_mask_phones_as_on_screen_and_hide_invisible_customers(
    api, client, make_user, clerk, manager
):
    o = receive(api(clerk))  # a customer with an order at the outlet
    keeper = make_user("keeper", "parts_keeper")
    _cust("别人", "A")  # no order at the outlet: not visible to the keeper
    client.force_login(keeper)
    rows = _csv(_get(client, "/care/lists/customers/", format="csv"))
    assert len(rows) == 2
    assert "*" in rows[1][2] and rows[1][2] != ""
    client.force_login(manager)
    full = _csv(_get(client, "/care/lists/customers/", format="csv", q=o["customer"]["name"]))
    assert "*" not in full[1][2]


def test_list_unknown_is_404(client, manager):
    client.force_login(manager)
    assert client.get("/care/lists/nope/").status_code == 404
