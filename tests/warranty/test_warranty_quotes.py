"""W-1 verdict on the order (terms, extensions, proof of purchase) and W-2 charges and quotes."""

from __future__ import annotations

from datetime import date

import pytest

from aftersales.orders.models import Order
from aftersales.parts.models import Part
from aftersales.warranty.models import Quote, WarrantyTerm
from tests.flows.helpers import T0, act, assert_error, frozen, receive
from tests.warranty.conftest import wcounts

pytestmark = pytest.mark.django_db


def _order(api, clerk, tech, purchase: str | None, **product):
    c = api(clerk)
    with frozen(T0):
        n = receive(c, product={"purchase_date": purchase, **product})["number"]
        act(c, n, "assign", {"technician": tech.username})
    return n


def test_w1_default_one_year_computed_with_reason(api, clerk, tech):
    n = _order(api, clerk, tech, "2026-03-01")
    with frozen(T0):
        v = api(clerk).get(f"/warranty/orders/{n}").json()
    assert (v["in_warranty"], v["reason"], v["ends"], v["term_months"], v["term_basis"]) == (
        True,
        "within_term",
        "2027-03-01",
        12,
        "default",
    )
    assert set(v["charges"]) == {"in_warranty", "misuse"}


def test_w1_terms_table_per_category_and_model(api, clerk, tech, manager):
    n = _order(api, clerk, tech, "2024-06-01", model="KFR-35")
    m = api(manager)
    assert (
        m.post("/warranty/terms", {"category": "air_conditioner", "months": 24}).status_code == 201
    )
    with frozen(T0):
        assert api(clerk).get(f"/warranty/orders/{n}").json()["reason"] == "expired"
    m.post("/warranty/terms", {"category": "air_conditioner", "model": "KFR-35", "months": 36})
    with frozen(T0):
        v = api(clerk).get(f"/warranty/orders/{n}").json()
    assert (v["in_warranty"], v["term_months"], v["term_basis"]) == (True, 36, "model")


def test_w1_only_managers_edit_terms(api, clerk):
    before = WarrantyTerm.objects.count()
    assert_error(
        api(clerk).post("/warranty/terms", {"category": "x", "months": 3}), 403, "forbidden"
    )
    assert WarrantyTerm.objects.count() == before


def test_w1_proof_of_purchase_puts_the_order_in_warranty(api, clerk, tech):
    n = _order(api, clerk, tech, None)
    with frozen(T0):
        assert api(clerk).get(f"/warranty/orders/{n}").json()["reason"] == "no_purchase_date"
        r = api(tech).post(
            f"/warranty/orders/{n}/proof",
            {"kind": "invoice", "reference": "FP-1", "purchase_date": "2026-10-01"},
        )
    assert r.status_code == 201, r.content
    assert (r.json()["in_warranty"], r.json()["purchase_date"]) == (True, "2026-10-01")


def test_w1_proof_in_the_future_refused_nothing_written(api, clerk, tech):
    n = _order(api, clerk, tech, None)
    before = wcounts()
    with frozen(T0):
        r = api(clerk).post(
            f"/warranty/orders/{n}/proof", {"kind": "invoice", "purchase_date": "2030-01-01"}
        )
    assert_error(r, 422, "validation")
    assert wcounts() == before


def test_w1_extension_by_supervisor_only(api, clerk, tech, supervisor):
    n = _order(api, clerk, tech, "2024-01-01")
    with frozen(T0):
        assert_error(
            api(tech).post(
                f"/warranty/orders/{n}/extensions", {"until": "2027-12-31", "reason": "goodwill"}
            ),
            403,
            "forbidden",
        )
        v = (
            api(supervisor)
            .post(f"/warranty/orders/{n}/extensions", {"until": "2027-12-31", "reason": "goodwill"})
            .json()
        )
    assert (v["in_warranty"], v["reason"], v["ends"]) == (True, "extended", "2027-12-31")


def test_w1_other_apps_selector_signature(api, clerk, tech):
    from aftersales.warranty.selectors import order_warranty, product_warranty

    n = _order(api, clerk, tech, "2026-01-01")
    o = Order.objects.get(number=n)
    assert order_warranty(o).in_warranty
    assert not product_warranty(o.product, date(2027, 1, 1)).in_warranty


# --- W-2 -------------------------------------------------------------------------------------


def _quote(client, n, lines, **kw):
    return client.post("/quotes", {"order": n, "lines": lines, **kw})


def test_w2_in_warranty_normal_use_is_free_no_quote(api, clerk, tech):
    n = _order(api, clerk, tech, "2026-10-01")
    before = wcounts()
    with frozen(T0):
        r = _quote(api(tech), n, [{"kind": "part", "description": "fan", "unit_price": "10"}])
    assert_error(r, 409, "quote_not_needed")
    assert wcounts() == before


def test_w2_misuse_parts_at_cost_no_service_fee(api, clerk, tech):
    Part.objects.create(code="P-FAN", name="风扇电机", unit_cost="80.00", list_price="120.00")
    n = _order(api, clerk, tech, "2026-10-01")
    with frozen(T0):
        r = _quote(api(tech), n, [{"kind": "part", "part_code": "P-FAN"}], misuse=True)
        assert r.status_code == 201, r.content
        q = r.json()
        assert (q["coverage"], q["total"], q["lines"][0]["unit_price"]) == (
            "misuse",
            "80.00",
            "80.00",
        )
        api(tech).post(f"/quotes/{q['number']}/decision", {"accepted": False, "note": "x"})
        r = _quote(
            api(tech),
            n,
            [{"kind": "labour", "description": "服务费", "unit_price": "30"}],
            misuse=True,
        )
    assert_error(r, 422, "labour_not_charged")


def test_w2_out_of_warranty_list_price_quote_and_accept(api, clerk, tech):
    Part.objects.create(code="P-COMP", name="压缩机", unit_cost="600.00", list_price="820.00")
    n = _order(api, clerk, tech, "2020-01-01")
    with frozen(T0):
        q = _quote(
            api(tech),
            n,
            [
                {"kind": "part", "part_code": "P-COMP", "quantity": "1"},
                {"kind": "travel", "description": "上门", "unit_price": "30"},
            ],
        ).json()
        assert (q["coverage"], q["total"], q["currency"], q["status"]) == (
            "out_of_warranty",
            "850.00",
            "CNY",
            "offered",
        )
        out = api(clerk).post(f"/quotes/{q['number']}/decision", {"accepted": True}).json()
        assert out["status"] == "accepted"
        r = api(clerk).post(f"/quotes/{q['number']}/decision", {"accepted": False})
    assert_error(r, 409, "already_decided")
    assert Quote.objects.get().status == "accepted"


def test_w2_decline_records_o7_declined_charge_on_the_order(api, clerk, tech):
    n = _order(api, clerk, tech, "2019-05-01")
    with frozen(T0):
        q = _quote(
            api(tech), n, [{"kind": "part", "description": "主板", "unit_price": "450.5"}]
        ).json()
        out = (
            api(tech)
            .post(f"/quotes/{q['number']}/decision", {"accepted": False, "note": "太贵"})
            .json()
        )
    assert out["status"] == "declined"
    o = Order.objects.get(number=n)
    assert o.status == "pending" and o.last_result_kind == "declined_charge"
    assert o.last_result == {
        "kind": "declined_charge",
        "purchase_year": 2019,
        "part": "主板",
        "amount": "450.50",
        "next_contact_date": None,
    }


def test_w2_negative_line_refused_nothing_written(api, clerk, tech):
    n = _order(api, clerk, tech, "2019-05-01")
    before = wcounts()
    with frozen(T0):
        r = _quote(api(tech), n, [{"kind": "part", "description": "x", "unit_price": "-1"}])
    assert_error(r, 422, "negative_line")
    assert wcounts() == before


def test_w2_krw_price_with_decimals_refused_nothing_written(api, clerk, tech):
    n = _order(api, clerk, tech, "2019-05-01")
    before = wcounts()
    with frozen(T0):
        r = _quote(
            api(tech),
            n,
            [{"kind": "part", "description": "x", "unit_price": "15000.5"}],
            currency="KRW",
        )
        err = assert_error(r, 422, "too_many_decimals")
        assert "lines.0.unit_price" in err["fields"]
        assert wcounts() == before
        ok = _quote(
            api(tech),
            n,
            [{"kind": "part", "description": "x", "unit_price": "15000"}],
            currency="KRW",
        )
    assert ok.status_code == 201 and ok.json()["total"] == "15000"
    assert api(tech).get(f"/quotes/{ok.json()['number']}").json()["total"] == "15000"


def test_w2_unknown_currency_refused(api, clerk, tech):
    n = _order(api, clerk, tech, "2019-05-01")
    with frozen(T0):
        r = _quote(
            api(tech), n, [{"kind": "part", "description": "x", "unit_price": "1"}], currency="XXX"
        )
    assert_error(r, 422, "unknown_currency")


def test_w2_quote_on_invisible_order_is_404(api, clerk, tech, tech2):
    n = _order(api, clerk, tech, "2019-05-01")
    with frozen(T0):
        r = _quote(api(tech2), n, [{"kind": "part", "description": "x", "unit_price": "1"}])
    assert_error(r, 404, "not_found")


def test_w2_quote_and_invoice_pdf(api, clerk, tech):
    n = _order(api, clerk, tech, "2019-05-01")
    c = api(clerk)
    with frozen(T0):
        q = _quote(c, n, [{"kind": "part", "description": "压缩机", "unit_price": "820"}]).json()
        assert_error(c.get(f"/quotes/{q['number']}/invoice"), 409, "not_accepted")
        pdf = c.get(f"/quotes/{q['number']}/pdf")
        assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
        c.post(f"/quotes/{q['number']}/decision", {"accepted": True})
        inv = c.get(f"/quotes/{q['number']}/invoice")
    assert inv.status_code == 200 and inv["Content-Type"] == "application/pdf"


@pytest.mark.parametrize(
    ("roles", "status"),
    [(("parts_keeper",), 403), (("clerk",), 201), (("supervisor",), 201), (("technician",), 404)],
)
def test_w2_who_may_write_a_quote(api, clerk, tech, make_user, roles, status):
    """Staff of the outlet and the assigned technician quote; a parts keeper may not; another
    technician does not even see the order."""
    user = make_user("someone", *roles)
    n = _order(api, clerk, tech, "2019-05-01")
    with frozen(T0):
        r = _quote(api(user), n, [{"kind": "part", "description": "x", "unit_price": "1"}])
    assert r.status_code == status, r.content
    assert Quote.objects.count() == (1 if status == 201 else 0)


@pytest.mark.parametrize(
    ("roles", "status"), [(("clerk",), 403), (("technician",), 403), (("manager",), 200)]
)
def test_w3_who_may_decide_a_return(api, clerk, tech, make_user, roles, status):
    from aftersales.warranty.models import ReturnRequest

    user = make_user("decider", *roles, outlet=None if "manager" in roles else clerk.outlet)
    n = _order(api, clerk, tech, "2026-12-03")
    with frozen(T0):
        rid = (
            api(tech).post("/returns", {"order": n, "kind": "return", "reason": "坏"}).json()["id"]
        )
        r = api(user).post(f"/returns/{rid}/decision", {"approve": True, "reason": "ok"})
    assert r.status_code in (status, 404 if "technician" in roles else status), r.content
    assert ReturnRequest.objects.get().status == ("approved" if status == 200 else "requested")
