"""O-7: intermediate results are structured; each kind demands its own fields."""

from __future__ import annotations

import pytest

from aftersales.orders.models import Order
from tests.flows.helpers import T0, act, assert_error, counts, drive, events_of, frozen, receive

pytestmark = pytest.mark.django_db

VALID = {
    "unreachable": {
        "kind": "unreachable",
        "phones": [
            {"phone": "13800138000", "outcome": "no_answer"},
            {"phone": "13900139000", "outcome": "wrong_number"},
        ],
    },
    "unreachable_address": {"kind": "unreachable", "address_problem": "no_such_house_number"},
    "waiting_parts": {
        "kind": "waiting_parts",
        "part": "压缩机",
        "shipped_by": "manufacturer",
        "promised_date": "2026-12-12",
        "agreed_by": "customer",
    },
    "carried_in": {
        "kind": "carried_in",
        "promised_return_date": "2026-12-15",
        "agreed_by": "family",
    },
    "unit_normal_not_accepted": {
        "kind": "unit_normal_not_accepted",
        "next_visit_date": "2026-12-20",
        "who": "customer",
        "measurements": [
            {"name": "outlet", "value": "12", "unit": "°C"},
            {"name": "return", "value": "25", "unit": "°C"},
        ],
    },
    "return_pending": {
        "kind": "return_pending",
        "reason": "三次维修未好",
        "purchase_date": "2026-10-01",
        "approval_needed": True,
        "model_chosen": "KFR-50",
    },
    "declined_charge": {
        "kind": "declined_charge",
        "purchase_year": 2018,
        "part": "主板",
        "amount": "380.00",
    },
    "no_time": {"kind": "no_time", "days": 10, "stated_by": "customer", "note": "出国"},
    "refused_repair": {"kind": "refused_repair", "stated_by": "customer", "reason": "嫌贵"},
}

MISSING = [
    ("unreachable", {"kind": "unreachable"}, None),
    (
        "unreachable",
        {"kind": "unreachable", "phones": [{"phone": "13800138000"}]},
        "phones.0.outcome",
    ),
    ("waiting_parts", {"kind": "waiting_parts", "shipped_by": "manufacturer"}, "part"),
    ("waiting_parts", {"kind": "waiting_parts", "part": "压缩机"}, "shipped_by"),
    ("carried_in", {"kind": "carried_in", "agreed_by": "customer"}, "promised_return_date"),
    (
        "unit_normal_not_accepted",
        {
            "kind": "unit_normal_not_accepted",
            "who": "customer",
            "next_visit_date": "2026-12-20",
            "measurements": [],
        },
        "measurements",
    ),
    (
        "return_pending",
        {"kind": "return_pending", "reason": "x", "approval_needed": True},
        "purchase_date",
    ),
    (
        "declined_charge",
        {"kind": "declined_charge", "purchase_year": 2018, "part": "主板"},
        "amount",
    ),
    (
        "declined_charge",
        {"kind": "declined_charge", "purchase_year": 1900, "part": "主板", "amount": "1"},
        "purchase_year",
    ),
    ("no_time", {"kind": "no_time", "stated_by": "customer"}, "days"),
    ("refused_repair", {"kind": "refused_repair", "stated_by": "customer"}, "reason"),
]


@pytest.fixture
def on_site(api, clerk, tech):
    c, t = api(clerk), api(tech)
    with frozen(T0):
        n = receive(c)["number"]
        drive(c, t, n, "on_site", now=T0)
    return n


@pytest.mark.parametrize("name", sorted(VALID))
def test_o7_each_result_kind_accepted_with_its_fields(api, tech, on_site, name):
    with frozen(T0):
        out = act(api(tech), on_site, "result", VALID[name])
    kind = VALID[name]["kind"]
    assert out["status"] == "pending" and out["last_result"]["kind"] == kind
    order = Order.objects.get(number=on_site)
    assert order.last_result_kind == kind
    ev = events_of(on_site)[-1]
    assert (ev.action, ev.from_status, ev.to_status) == ("result", "on_site", "pending")
    assert ev.data["kind"] == kind
    for key in VALID[name]:
        assert key in ev.data


@pytest.mark.parametrize("kind, body, field", MISSING, ids=[f"{k}-{f}" for k, _, f in MISSING])
def test_o7_result_missing_fields_is_422(api, tech, on_site, kind, body, field):
    with frozen(T0):
        before = counts()
        err = assert_error(api(tech).post(f"/orders/{on_site}/result", body), 422)
    if field is not None:
        assert any(field in k for k in err["fields"]), err
    assert counts() == before
    assert Order.objects.get(number=on_site).status == "on_site"


@pytest.mark.parametrize(
    "body",
    [
        {"note": "客户说下周再来"},
        {"kind": "remark", "text": "客户说下周再来"},
        {
            "kind": "appointment",
            "start": "2026-12-08T10:00:00+08:00",
            "end": "2026-12-08T12:00:00+08:00",
            "agreed_by": "customer",
        },
        {},
    ],
)
def test_o7_plain_remark_or_unknown_kind_is_not_a_result(api, tech, on_site, body):
    with frozen(T0):
        before = counts()
        err = assert_error(
            api(tech).post(f"/orders/{on_site}/result", body), 422, "unknown_result_kind"
        )
    assert "kind" in err["fields"]
    assert counts() == before


def test_o7_extra_field_in_result_is_422(api, tech, on_site):
    with frozen(T0):
        err = assert_error(
            api(tech).post(f"/orders/{on_site}/result", {**VALID["no_time"], "remark": "x"}), 422
        )
    assert "remark" in " ".join(err["fields"])


def test_o7_refusal_only_recorded_on_site(api, clerk, tech):
    c, t = api(clerk), api(tech)
    with frozen(T0):
        n = receive(c)["number"]
        drive(c, t, n, "contacted", now=T0)
        before = counts()
        assert_error(
            t.post(f"/orders/{n}/result", VALID["refused_repair"]), 409, "refusal_not_on_site"
        )
    assert counts() == before


def test_o7_result_refused_before_assignment(api, clerk):
    c = api(clerk)
    with frozen(T0):
        n = receive(c)["number"]
        assert_error(c.post(f"/orders/{n}/result", VALID["no_time"]), 409, "illegal_transition")


def test_o7_pending_order_goes_back_to_work(api, tech, on_site):
    t = api(tech)
    with frozen(T0):
        act(t, on_site, "result", VALID["waiting_parts"])
        # Parts arrived: the technician completes straight from the intermediate result.
        out = act(t, on_site, "complete", {"fault_code": "E2"})
    assert out["status"] == "completed"
