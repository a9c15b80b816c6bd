"""The keeper's pages: every page renders, forms post through the services, errors show."""

from __future__ import annotations

import pytest
from django.test import Client

from aftersales.parts.models import StockBalance, StockCount
from tests.parts.conftest import counts


@pytest.fixture
def web(keeper):
    c = Client()
    c.force_login(keeper)
    return c


PAGES = ["", "receive/", "issue/", "transfer/", "requests/", "arrived-today/", "counts/",
         "ageing/", "reorder/?warehouse=qd-main", "account/", "label/P-100/",
         "?part=P-100", "?warehouse=qd-main"]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
def test_pages_render_for_keeper(web, wh, part, page):
    r = web.get("/parts/" + page)
    assert r.status_code == 200, r.content[:500]
    assert b'name="viewport"' in r.content


def _receive(web, qty="3", **extra):
    return web.post(
        "/parts/receive/",
        {"warehouse": "qd-main", "part_0": "P-100", "bin_0": "A-01-1-01", "qty_0": qty,
         "purchase": "on", **extra},
    )  # fmt: skip


@pytest.mark.django_db
def test_p2_receive_then_issue_form_prints_slip_with_bins(web, wh, part):
    r = _receive(web)
    assert r.status_code == 302, r.content[:500]
    r = web.post("/parts/issue/", {"warehouse": "qd-main", "part_0": "P-100", "qty_0": "2"})
    assert r.status_code == 302
    slip = web.get(r["Location"])
    assert b"A-01-1-01" in slip.content and b"P-100" in slip.content
    pdf = web.get(r["Location"] + "slip.pdf")
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
    assert StockBalance.objects.get().qty == 1


@pytest.mark.django_db
def test_p1_receive_form_shows_error_next_to_line_and_writes_nothing(web, wh, part):
    before = counts()
    r = _receive(web, model_0="WRONG")
    assert r.status_code == 422
    assert "field-error" in r.content.decode() and "model_0" in r.content.decode()
    r = _receive(web, qty="0")
    assert r.status_code == 422 and b"qty_0" in r.content
    assert counts() == before


@pytest.mark.django_db
def test_p5_stock_page_colours_rows(web, wh, part):
    from datetime import timedelta

    from django.utils import timezone

    _receive(web)
    StockBalance.objects.update(aged_from=timezone.now() - timedelta(days=100))
    r = web.get("/parts/?part=P-100")
    assert b"band-red" in r.content
    r = web.get("/parts/ageing/")
    assert b"band-red" in r.content and b"P-100" in r.content
    x = web.get("/parts/ageing/?format=xlsx")
    assert x.status_code == 200 and b"".join(x.streaming_content)[:2] == b"PK"


@pytest.mark.django_db
def test_p4_count_pages_start_and_refuse_a_second(web, wh, part):
    _receive(web)
    r = web.post("/parts/counts/", {"warehouse": "qd-main"})
    assert r.status_code == 302
    r2 = web.post("/parts/counts/", {"warehouse": "qd-main"})
    assert r2.status_code == 409
    assert StockCount.objects.count() == 1
    sheet = web.get(r["Location"])
    assert b"A-01-1-01" in sheet.content


@pytest.mark.django_db
def test_pages_other_outlet_doc_is_404(web, wh, part, make_user, other_outlet):
    _receive(web)
    r = web.post("/parts/issue/", {"warehouse": "qd-main", "part_0": "P-100", "qty_0": "1"})
    other = Client()
    other.force_login(make_user("k2", "parts_keeper", outlet=other_outlet))
    assert other.get(r["Location"]).status_code == 404
    assert other.get(r["Location"] + "slip.pdf").status_code == 404


@pytest.mark.django_db
def test_o13_request_form_unknown_order_shows_error_and_bad_ids_are_404(web, wh, part):
    before = counts()
    r = web.post("/parts/requests/", {"action": "create", "order": "SO-NOPE", "part": "P-100"})
    assert r.status_code == 422 and b"messages" in r.content
    r = web.post("/parts/requests/", {"action": "approve", "id": "abc"})
    assert r.status_code == 404
    r = web.post("/parts/counts/999/", {"action": "enter", "line": "x"})
    assert r.status_code == 404
    assert counts() == before


@pytest.mark.django_db
def test_o13_requests_page_offers_each_role_its_own_steps(api, tech, keeper, clerk, wh, part):
    from tests.flows.helpers import T0, act, frozen, receive

    c = api(clerk)
    with frozen(T0):
        n = receive(c)["number"]
        act(c, n, "assign", {"technician": "tech"})
        api(tech).post("/part-requests", {"order": n, "part": "P-100"})
    k = Client()
    k.force_login(keeper)
    t = Client()
    t.force_login(tech)
    assert b'value="approve"' in k.get("/parts/requests/").content
    page = t.get(f"/parts/requests/?order={n}")
    assert n.encode() in page.content and b'value="approve"' not in page.content
