"""The app's pages: each renders for the roles that use it, posts go through the services,
refusals show the message and change nothing, other people's things are 404."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import Client
from PIL import Image

from aftersales.orders.models import Order
from aftersales.warranty.models import Complaint, PenaltyEntry, Quote, ReturnPhoto, ReturnRequest
from tests.flows.helpers import T0, act, frozen, receive
from tests.warranty.conftest import wcounts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def browser(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def order(api, clerk, tech):
    c = api(clerk)
    with frozen(T0):
        n = receive(c, product={"purchase_date": "2019-01-01"})["number"]
        act(c, n, "assign", {"technician": "tech"})
    return n


def test_w1_order_page_shows_verdict_and_reason(order, clerk):
    with frozen(T0):
        r = browser(clerk).get(f"/warranty/order/{order}/")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-reason="expired"' in html


def test_w1_badge_tag_for_the_order_page(order):
    o = Order.objects.get(number=order)
    out = Template("{% load warranty_tags %}{% warranty_badge order %}").render(
        Context({"order": o})
    )
    assert 'data-testid="warranty"' in out and f"/warranty/order/{order}/" in out
    assert 'class="badge bad"' in out  # out of warranty and no accepted quote yet
    Quote.objects.create(
        number="Q-1",
        order=o,
        coverage="out_of_warranty",
        currency="CNY",
        total="1",
        status="accepted",
        created_at=T0,
    )
    out = Template("{% load warranty_tags %}{% warranty_badge order %}").render(
        Context({"order": o})
    )
    assert 'class="badge bad"' not in out


def test_w1_order_page_404_for_other_technician(order, tech2):
    assert browser(tech2).get(f"/warranty/order/{order}/").status_code == 404


def test_w2_quote_form_creates_quote_and_negative_shows_error(order, tech):
    b = browser(tech)
    before = wcounts()
    with frozen(T0):
        r = b.post(
            f"/warranty/order/{order}/quote/",
            {"line_kind_0": "part", "line_description_0": "压缩机", "line_unit_price_0": "-3"},
        )
    assert r.status_code == 422 and "lines.0.unit_price" in r.content.decode()
    assert wcounts() == before
    with frozen(T0):
        r = b.post(
            f"/warranty/order/{order}/quote/",
            {
                "line_kind_0": "part",
                "line_description_0": "压缩机",
                "line_unit_price_0": "820",
                "line_kind_1": "travel",
                "line_description_1": "上门",
                "line_unit_price_1": "30",
            },
        )
    assert r.status_code == 302
    q = Quote.objects.get()
    assert str(q.total) == "850.00"
    with frozen(T0):
        r = b.post(
            f"/warranty/order/{order}/quote-decision/", {"target": q.number, "accepted": "0"}
        )
    assert r.status_code == 302
    assert Order.objects.get(number=order).last_result_kind == "declined_charge"
    assert b.get(f"/warranty/quotes/{q.number}.pdf").content[:4] == b"%PDF"


def test_w3_return_request_from_the_phone_with_photos(order, tech, supervisor):
    buf = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buf, "JPEG")
    photo = SimpleUploadedFile("a.jpg", buf.getvalue(), content_type="image/jpeg")
    with frozen(T0):
        r = browser(tech).post(
            f"/warranty/order/{order}/return/",
            {"kind": "exchange", "reason": "漏水", "performance_fault": "1", "photo": photo},
        )
    assert r.status_code == 302, r.content[:300]
    req = ReturnRequest.objects.get()
    assert ReturnPhoto.objects.filter(request=req).count() == 1
    assert browser(supervisor).get("/warranty/returns/").content.decode().count(order) >= 1
    with frozen(T0):
        r = browser(supervisor).post(
            f"/warranty/order/{order}/return-decision/",
            {"target": req.pk, "approve": "1", "reason": "ok"},
        )
    assert r.status_code == 409  # expired: not eligible
    assert ReturnRequest.objects.get().status == "requested"


def test_w3_bad_photo_refuses_the_whole_request(order, tech):
    bad = SimpleUploadedFile("a.jpg", b"not an image", content_type="image/jpeg")
    before = wcounts()
    with frozen(T0):
        r = browser(tech).post(
            f"/warranty/order/{order}/return/", {"kind": "exchange", "reason": "漏水", "photo": bad}
        )
    assert r.status_code == 422
    assert wcounts() == before


def test_o16_complaint_pages(order, clerk, supervisor):
    b = browser(clerk)
    assert b.get("/warranty/complaints/").status_code == 200
    with frozen(T0):
        r = b.post(
            "/warranty/complaints/new/",
            {
                "channel": "letter",
                "category": "delay",
                "order": order,
                "summary": "三天没人来",
                "apology": "",
            },
        )
        assert r.status_code == 422 and Complaint.objects.count() == 0
        r = b.post(
            "/warranty/complaints/new/",
            {
                "channel": "letter",
                "category": "delay",
                "order": order,
                "summary": "三天没人来",
                "apology": "已致歉",
            },
        )
    c = Complaint.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/warranty/complaints/{c.pk}/"
    with frozen(T0 + timedelta(hours=1)):
        r = browser(supervisor).post(
            f"/warranty/complaints/{c.pk}/",
            {"kind": "finding", "note": "属实", "at_fault": "1", "amount": "200"},
        )
    assert r.status_code == 302
    assert PenaltyEntry.objects.filter(rule__code="complaint_at_fault", amount=200).exists()
    assert "属实" in browser(supervisor).get(f"/warranty/complaints/{c.pk}/").content.decode()


def test_s2_technician_redirected_to_own_card_manager_sees_all(order, tech, tech2, manager):
    r = browser(tech).get("/warranty/scorecards/")
    assert r.status_code == 302 and "/warranty/scorecards/tech/" in r["Location"]
    assert browser(tech).get("/warranty/scorecards/tech/?month=2026-12").status_code == 200
    assert browser(tech).get("/warranty/scorecards/tech2/?month=2026-12").status_code == 404
    html = browser(manager).get("/warranty/scorecards/?month=2026-12").content.decode()
    assert "tech2" in html and 'action="/warranty/scorecards/close/"' in html
    assert browser(tech).get("/warranty/scorecards/tech/2026-12.pdf").content[:4] == b"%PDF"


def test_s1_penalty_page_needs_evidence(supervisor, tech):
    b = browser(supervisor)
    with frozen(T0):
        r = b.post("/warranty/penalties/", {"person": "tech", "rule": "phone_off", "evidence": ""})
    assert r.status_code == 422 and PenaltyEntry.objects.count() == 0
    with frozen(T0):
        r = b.post(
            "/warranty/penalties/",
            {"person": "tech", "rule": "phone_off", "evidence": "10:00 关机"},
        )
    assert r.status_code == 302 and PenaltyEntry.objects.count() == 1


def test_s3_expense_pages(tech, supervisor):
    b = browser(tech)
    with frozen(T0):
        assert (
            b.post(
                "/warranty/expenses/trip/",
                {"day": "2026-12-07", "origin": "A", "destination": "B", "km": "12"},
            ).status_code
            == 302
        )
        r = b.post("/warranty/expenses/claim/", {"kind": "meals", "amount": "-2"})
        assert r.status_code == 422
        assert (
            b.post("/warranty/expenses/claim/", {"kind": "meals", "amount": "25"}).status_code
            == 302
        )
    assert "25.00" in browser(supervisor).get("/warranty/expenses/").content.decode()


def test_w5_quality_page_and_csv(clerk):
    b = browser(clerk)
    assert b.get("/warranty/quality/?month=2026-12").status_code == 200
    r = b.get("/warranty/quality/?month=2026-12&format=csv")
    # The one streaming writer (core.export); its rows are checked in test_exports.py.
    assert (
        r["Content-Type"].startswith("text/csv") and "quality-2026-12" in r["Content-Disposition"]
    )
    assert b"".join(r.streaming_content).startswith("\ufeff".encode())


def test_w2_o16_api_lists_queries_do_not_grow(
    api, clerk, tech, supervisor, django_assert_max_num_queries
):
    from aftersales.warranty.models import Complaint, ComplaintStep, Quote, QuoteLine

    c = api(clerk)
    with frozen(T0):
        numbers = [
            receive(
                c, source_ref=f"Q{i}", product={"serial": f"Q{i}", "purchase_date": "2019-01-01"}
            )["number"]
            for i in range(3)
        ]
    o = {x.number: x for x in Order.objects.filter(number__in=numbers)}
    for i, n in enumerate(numbers):
        q = Quote.objects.create(
            number=f"Q-{i}",
            order=o[n],
            coverage="out_of_warranty",
            currency="CNY",
            total="10",
            created_by=clerk,
            created_at=T0,
        )
        QuoteLine.objects.create(
            quote=q, kind="part", description="x", quantity=1, unit_price="10", amount="10"
        )
        cp = Complaint.objects.create(
            order=o[n],
            channel="call",
            category="delay",
            summary="x",
            received_at=T0,
            received_by=clerk,
            outlet=o[n].outlet,
        )
        ComplaintStep.objects.create(complaint=cp, kind="apology", note="x", at=T0, by=clerk)
    # token, visibility, rows, lines, currencies
    with django_assert_max_num_queries(6):
        assert len(c.get("/quotes").json()) == 3
    with django_assert_max_num_queries(6):
        assert len(c.get("/complaints").json()) == 3
    with django_assert_max_num_queries(6):
        assert c.get("/returns").json() == []
