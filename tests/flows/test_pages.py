"""Server-rendered pages: list with filters and pagination, the intake form, the timeline."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from aftersales.orders.inputs import OrderIn
from aftersales.orders.intake import orders_receive
from aftersales.orders.models import Order
from tests.flows.helpers import T0, act, counts, drive, frozen, order_body, receive

pytestmark = pytest.mark.django_db

# The page: session, user, count, rows. The API: token, count, rows.
PAGE_QUERIES = 4
API_QUERIES = 3


def bulk(n: int, actor, prefix: str = "B") -> list[str]:
    rows = [
        (
            i,
            OrderIn.model_validate(
                order_body(
                    source_ref=f"{prefix}-{i}",
                    customer={"phones": [f"1380013{i:04d}"]},
                    product={"serial": f"S{i}"},
                )
            ),
        )
        for i in range(n)
    ]
    with frozen(T0):
        return [n for rep in orders_receive(rows, actor=actor, now=T0) for _, n in rep.numbers]


@pytest.fixture
def browser(clerk):
    client = Client()
    client.force_login(clerk)
    return client


def _numbers(html: str) -> list[str]:
    return re.findall(r'href="/orders/(SO\d+)/"', html)


def test_o5_list_page_paginates_by_50(browser, clerk):
    numbers = bulk(55, clerk)
    first = browser.get("/orders/")
    second = browser.get("/orders/", {"page": "2"})
    assert first.status_code == second.status_code == 200
    on_first, on_second = _numbers(first.content.decode()), _numbers(second.content.decode())
    assert len(on_first) == 50 and len(on_second) == 5
    assert set(on_first) | set(on_second) == set(numbers)
    assert "page=2" in first.content.decode()
    assert browser.get("/orders/", {"page": "999"}).status_code == 200


def test_o5_list_page_filters(browser, api, clerk, tech):
    c = api(clerk)
    with frozen(T0):
        a = receive(c, source_ref="F-1", customer={"name": "张三"})["number"]
        b = receive(c, source_ref="F-2", customer={"name": "李四"})["number"]
        act(c, b, "assign", {"technician": "tech"})
        x = receive(c, source_ref="F-3")["number"]
        act(c, x, "cancel", {"reason": "重复"})
    assert set(_numbers(browser.get("/orders/", {"status": "assigned"}).content.decode())) == {b}
    assert set(_numbers(browser.get("/orders/", {"q": "张三"}).content.decode())) == {a}
    assert set(_numbers(browser.get("/orders/", {"q": "F-2"}).content.decode())) == {b}
    assert set(_numbers(browser.get("/orders/", {"status": "cancelled"}).content.decode())) == {x}
    # Nothing is overdue before the SLA due time (pages use the real clock: T0 is ahead).
    assert _numbers(browser.get("/orders/", {"overdue": "1"}).content.decode()) == []


def test_o5_list_page_queries_do_not_grow_with_orders(
    browser, clerk, tech, django_assert_max_num_queries
):
    bulk(5, clerk, "Q")
    Order.objects.update(assignee=tech)
    browser.get("/orders/")  # code-table names are cached per process after the first page
    with django_assert_max_num_queries(PAGE_QUERIES):
        assert browser.get("/orders/").status_code == 200
    bulk(35, clerk, "R")
    Order.objects.update(assignee=tech)
    with django_assert_max_num_queries(PAGE_QUERIES):
        r = browser.get("/orders/")
    assert len(_numbers(r.content.decode())) == 40


def test_o5_api_list_queries_do_not_grow_with_orders(
    api, clerk, tech, django_assert_max_num_queries
):
    c = api(clerk)
    c.get("/orders")  # the token's last-use stamp is written once
    bulk(5, clerk, "Q")
    Order.objects.update(assignee=tech)
    with django_assert_max_num_queries(API_QUERIES):
        assert c.get("/orders").json()["count"] == 5
    bulk(35, clerk, "R")
    Order.objects.update(assignee=tech)
    with django_assert_max_num_queries(API_QUERIES):
        body = c.get("/orders", page_size=200).json()
    assert body["count"] == 40 and len(body["results"]) == 40


def test_o2_new_order_form_shows_phone_error_and_creates_nothing(browser, clerk):
    before = counts()
    r = browser.post(
        "/orders/new/",
        {
            "customer_name": "王芳",
            "phones": "12345",
            "address": "青岛市市南区 8 号",
            "category": "air_conditioner",
            "service_type": "repair",
            "service_mode": "on_site",
            "source": "phone",
            "source_ref": "FORM-1",
        },
    )
    html = r.content.decode()
    assert r.status_code == 200
    assert re.search(r'name="phones"[^>]*>\s*<span class="field-error"[^>]*>[^<]+</span>', html)
    assert 'value="12345"' in html and 'value="王芳"' in html  # the form keeps what was typed
    assert counts() == before


def test_o2_new_order_form_missing_fields_marked(browser):
    before = counts()
    html = browser.post("/orders/new/", {"phones": "13800138000"}).content.decode()
    for field in ("customer_name", "address", "category", "service_type", "source"):
        assert re.search(
            rf'name="{field}"[^>]*>(<option[^<]*</option>)*(</select>)?\s*'
            r'<span class="field-error"',
            html,
        ), field
    assert counts() == before


def test_o2_new_order_form_valid_redirects_to_detail(browser, clerk):
    r = browser.post(
        "/orders/new/",
        {
            "customer_name": "王芳",
            "phones": "138 0013 8000, 139 0013 9000",
            "address": "青岛市市南区 8 号",
            "category": "television",
            "service_type": "install",
            "service_mode": "on_site",
            "source": "walk_in",
            "source_ref": "FORM-2",
            "requested_at": "2026-12-08T10:00",
            "remarks": "改派自济南",
        },
    )
    order = Order.objects.get(source_ref="FORM-2")
    assert r.status_code == 302 and r["Location"] == f"/orders/{order.number}/"
    assert order.contact_phones == ["+8613800138000", "+8613900139000"]
    assert (order.sla_hours, order.received_by, order.reassigned_flag) == (96, clerk, True)
    assert order.requested_at.isoformat() == "2026-12-08T02:00:00+00:00"
    assert browser.get(r["Location"]).status_code == 200


def test_o5_detail_page_shows_the_timeline(api, clerk, tech):
    c, t = api(clerk), api(tech)
    with frozen(T0):
        n = receive(c)["number"]
        drive(c, t, n, "on_site", now=T0)
        act(c, n, "call", {"note": "客户来电问几点到"})
        browser = Client()
        browser.force_login(clerk)
        html = browser.get(f"/orders/{n}/").content.decode()
    timeline = html.split('class="timeline"', 1)[1].split("</ol>", 1)[0]
    assert timeline.count("<li") == 6  # receive, assign, appointment, travel, arrive, call
    assert "客户来电问几点到" in timeline and "tech" in timeline
    assert "+8613800138000" in html


def test_o6_page_action_errors_are_shown_next_to_the_field(api, clerk, tech):
    c = api(clerk)
    with frozen(T0):
        n = receive(c)["number"]
        act(c, n, "assign", {"technician": "tech"})
        browser = Client()
        browser.force_login(tech)
        r = browser.post(
            f"/orders/{n}/appointment/",
            {"start": "2026-12-08T08:00", "end": "2026-12-08T12:00", "version": "2"},
        )
    assert r.status_code == 422
    assert re.search(r'name="end"[^>]*>\s*<span class="field-error"', r.content.decode())
    assert Order.objects.get(number=n).status == "assigned"


def test_o12_backlog_page_renders_empty(browser):
    r = browser.get("/orders/backlog/")
    assert r.status_code == 200
    assert browser.get("/orders/backlog/", {"older_than_hours": "abc"}).status_code == 200


def test_o1_pages_show_category_and_source_by_name(browser, api, clerk):
    with frozen(T0):
        number = receive(api(clerk))["number"]
    from django.utils.translation import gettext, override

    with override("zh-hans"):
        aircon, call_centre = gettext("Air conditioner"), gettext("Call centre")
    assert aircon != "Air conditioner"
    listed = browser.get("/orders/").content.decode()  # the network's default: zh-hans
    assert aircon in listed and "air_conditioner<" not in listed
    detail = browser.get(f"/orders/{number}/").content.decode()
    assert aircon in detail and call_centre in detail


def test_o6_field_messages_follow_the_users_language(api, clerk):
    c = api(clerk)
    r = c.post(
        "/orders", order_body(customer={"name": ""}), headers={"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
    )
    assert r.status_code == 422
    assert r.json()["error"]["fields"]["customer.name"] == "必填。"
    r = c.post("/orders", order_body(customer={"name": ""}), headers={"HTTP_ACCEPT_LANGUAGE": "en"})
    assert r.json()["error"]["fields"]["customer.name"] == "Required."
