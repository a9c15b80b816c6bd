"""W-3 returns and exchanges (photos, three guarantees, supervisor approval), W-4 compensation,
S-3 trips and expense claims."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from aftersales.orders.models import Order
from aftersales.warranty.models import ExtendedWarranty, ReturnPhoto, ReturnRequest, WarrantyPolicy
from tests.flows.helpers import (
    FULL_REPORT,
    T0,
    act,
    assert_error,
    frozen,
    next_hour,
    receive,
    window,
)
from tests.warranty.conftest import wcounts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def png(size=(8, 8)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, "red").save(buf, "PNG")
    return buf.getvalue()


def upload(client_api, path, field, content, name="fault.png", ctype="image/png", **data):
    f = SimpleUploadedFile(name, content, content_type=ctype)
    return client_api.client.post(
        "/api/v1" + path, {field: f, **data}, HTTP_AUTHORIZATION=f"Bearer {client_api.token}"
    )


def _order(api, clerk, tech, purchase, ref="R1"):
    c = api(clerk)
    with frozen(T0):
        n = receive(c, source_ref=ref, product={"purchase_date": purchase, "serial": ref})["number"]
        act(c, n, "assign", {"technician": tech.username})
    return n


def _request(client, n, **kw):
    return client.post("/returns", {"order": n, "kind": "return", "reason": "不制冷", **kw})


def test_w3_technician_requests_eligibility_computed_and_o7_recorded(api, clerk, tech):
    n = _order(api, clerk, tech, "2026-12-03")
    with frozen(T0):
        r = _request(api(tech), n)
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["eligible"], body["eligibility_reason"], body["status"]) == (
        ["return", "exchange"],
        "within_return_days",
        "requested",
    )
    o = Order.objects.get(number=n)
    assert (o.status, o.last_result_kind, o.last_result["approval_needed"]) == (
        "pending",
        "return_pending",
        True,
    )


def test_w3_photo_upload_images_only_and_size_limit(api, clerk, tech):
    n = _order(api, clerk, tech, "2026-12-03")
    t = api(tech)
    with frozen(T0):
        rid = _request(t, n).json()["id"]
        ok = upload(t, f"/returns/{rid}/photos", "photo", png())
        assert ok.status_code == 201, ok.content
        assert ok.json()["content_type"] == "image/png"
        before = wcounts()
        assert_error(
            upload(t, f"/returns/{rid}/photos", "photo", b"%PDF-1.4 not a photo", name="x.png"),
            422,
            "not_an_image",
        )
        row = WarrantyPolicy.objects.get()
        row.photo_max_kb = 1
        row.save()  # as the admin does: the cached policy is dropped
        assert_error(
            upload(t, f"/returns/{rid}/photos", "photo", png((400, 400)) + b"\0" * 2048),
            422,
            "photo_too_large",
        )
        assert wcounts() == before
        got = t.client.get(
            f"/api/v1/returns/{rid}/photos/{ok.json()['id']}",
            HTTP_AUTHORIZATION=f"Bearer {t.token}",
        )
    assert got.status_code == 200 and b"".join(got.streaming_content)[:4] == b"\x89PNG"
    assert ReturnPhoto.objects.count() == 1


def test_w3_technician_never_approves(api, clerk, tech):
    n = _order(api, clerk, tech, "2026-12-03")
    with frozen(T0):
        rid = _request(api(tech), n).json()["id"]
        assert_error(
            api(tech).post(f"/returns/{rid}/decision", {"approve": True, "reason": "ok"}),
            403,
            "forbidden",
        )
    assert ReturnRequest.objects.get().status == "requested"


def test_w3_approving_own_request_refused(api, clerk, tech, supervisor):
    n = _order(api, clerk, tech, "2026-12-03")
    with frozen(T0):
        rid = _request(api(supervisor), n).json()["id"]
        before = wcounts()
        assert_error(
            api(supervisor).post(f"/returns/{rid}/decision", {"approve": True, "reason": "ok"}),
            409,
            "own_request",
        )
    assert wcounts() == before and ReturnRequest.objects.get().status == "requested"


def test_w3_supervisor_approves_once(api, clerk, tech, supervisor, supervisor2):
    n = _order(api, clerk, tech, "2026-12-03")
    with frozen(T0):
        rid = _request(api(tech), n).json()["id"]
        out = (
            api(supervisor)
            .post(
                f"/returns/{rid}/decision",
                {"approve": True, "reason": "7 天内性能故障", "decision": "exchange"},
            )
            .json()
        )
        assert (out["status"], out["decision"], out["decided_by"]) == (
            "approved",
            "exchange",
            "sup",
        )
        before = wcounts()
        assert_error(
            api(supervisor2).post(f"/returns/{rid}/decision", {"approve": False, "reason": "x"}),
            409,
            "already_decided",
        )
    assert wcounts() == before


def test_w3_not_eligible_cannot_be_approved_but_extension_offered(api, clerk, tech, supervisor):
    n = _order(api, clerk, tech, "2026-06-01")
    with frozen(T0):
        rid = _request(api(tech), n).json()["id"]
        assert_error(
            api(supervisor).post(f"/returns/{rid}/decision", {"approve": True, "reason": "x"}),
            409,
            "not_eligible",
        )
        out = (
            api(supervisor)
            .post(
                f"/returns/{rid}/decision",
                {
                    "approve": False,
                    "reason": "超过 15 天",
                    "alternative": "extension",
                    "extension_months": 6,
                },
            )
            .json()
        )
        assert (out["status"], out["alternative"], out["extension_months"]) == (
            "rejected",
            "extension",
            6,
        )
        v = api(clerk).get(f"/warranty/orders/{n}").json()
    assert ExtendedWarranty.objects.get().until.isoformat() == "2027-12-01"
    assert v["extensions"][0]["until"] == "2027-12-01"


def test_w3_compensation_alternative_respects_currency(api, clerk, tech, supervisor):
    n = _order(api, clerk, tech, "2026-06-01")
    with frozen(T0):
        rid = _request(api(tech), n).json()["id"]
        body = {
            "approve": False,
            "reason": "x",
            "alternative": "compensation",
            "alternative_amount": "100.5",
            "currency": "KRW",
        }
        assert_error(
            api(supervisor).post(f"/returns/{rid}/decision", body), 422, "too_many_decimals"
        )
        out = (
            api(supervisor)
            .post(
                f"/returns/{rid}/decision",
                body | {"alternative_amount": "300.00", "currency": "CNY"},
            )
            .json()
        )
    assert (out["alternative"], out["alternative_amount"]) == ("compensation", "300.00")


def test_w3_repeated_repairs_make_an_exchange_eligible(api, clerk, tech):
    c, t = api(clerk), api(tech)
    numbers = []
    for i in range(2):
        at = T0 + timedelta(days=i)
        with frozen(at):
            n = receive(
                c, source_ref=f"RR{i}", product={"purchase_date": "2026-03-01", "serial": "SAME"}
            )["number"]
            act(c, n, "assign", {"technician": "tech"})
            act(t, n, "appointment", {**window(next_hour(at)), "agreed_by": "customer"})
            act(t, n, "arrive")
            act(t, n, "complete", FULL_REPORT)
        numbers.append(n)
    with frozen(T0 + timedelta(days=3)):
        n3 = receive(
            c, source_ref="RR3", product={"purchase_date": "2026-03-01", "serial": "SAME"}
        )["number"]
        act(c, n3, "assign", {"technician": "tech"})
        r = _request(t, n3, kind="exchange").json()
    assert (r["same_fault_repairs"], r["eligible"], r["eligibility_reason"]) == (
        2,
        ["exchange"],
        "repeated_repairs",
    )


def test_w4_compensation_escalate_approve_once_not_own(api, clerk, tech, supervisor):
    n = _order(api, clerk, tech, "2026-06-01")
    with frozen(T0):
        assert_error(
            api(clerk).post(f"/warranty/orders/{n}/compensations", {"cause": "x", "amount": "-5"}),
            422,
            "negative_amount",
        )
        cid = (
            api(clerk)
            .post(f"/warranty/orders/{n}/compensations", {"cause": "漏水泡坏地板", "amount": "800"})
            .json()["id"]
        )
        assert (
            api(clerk)
            .post(f"/warranty/compensations/{cid}/act", {"action": "escalate"})
            .json()["status"]
            == "escalated"
        )
        assert_error(
            api(clerk).post(f"/warranty/compensations/{cid}/act", {"action": "approve"}),
            403,
            "forbidden",
        )
        out = (
            api(supervisor)
            .post(f"/warranty/compensations/{cid}/act", {"action": "approve", "amount": "500"})
            .json()
        )
        assert (out["status"], out["amount_approved"]) == ("approved", "500.00")
        assert_error(
            api(supervisor).post(f"/warranty/compensations/{cid}/act", {"action": "reject"}),
            409,
            "already_decided",
        )


def test_w4_carry_back_for_testing(api, clerk, tech):
    n = _order(api, clerk, tech, "2026-06-01")
    with frozen(T0):
        cid = (
            api(tech)
            .post(f"/warranty/orders/{n}/compensations", {"cause": "噪音", "amount": "100"})
            .json()["id"]
        )
        out = (
            api(tech)
            .post(
                f"/warranty/compensations/{cid}/act", {"action": "carry_back", "note": "带回检测"}
            )
            .json()
        )
    assert out["status"] == "carried_back"


def test_s3_trip_and_expense_claim_with_receipt_approved_by_supervisor(api, tech, supervisor):
    t = api(tech)
    with frozen(T0):
        trip = t.post(
            "/expenses/trips",
            {
                "day": "2026-12-07",
                "origin": "青岛",
                "destination": "即墨",
                "km": "42.5",
                "hours": "6",
            },
        ).json()
        r = upload(
            t, "/expenses", "receipt", png(), kind="transport", amount="35.50", trip=str(trip["id"])
        )
        assert r.status_code == 201, r.content
        claim = r.json()
        assert claim["has_receipt"] and claim["amount"] == "35.50"
        assert_error(
            t.post(f"/expenses/{claim['id']}/decision", {"approve": True}), 403, "forbidden"
        )
        assert_error(
            api(supervisor).post(f"/expenses/{claim['id']}/decision", {"approve": False}),
            422,
            "validation",
        )
        out = api(supervisor).post(f"/expenses/{claim['id']}/decision", {"approve": True}).json()
        assert out["status"] == "approved"
        assert_error(
            api(supervisor).post(f"/expenses/{claim['id']}/decision", {"approve": True}),
            409,
            "already_decided",
        )


def test_s3_expense_bad_amount_and_own_decision_refused(api, supervisor):
    s = api(supervisor)
    before = wcounts()
    with frozen(T0):
        assert_error(s.post("/expenses", {"kind": "meals", "amount": "0"}), 422, "validation")
        assert_error(
            s.post("/expenses", {"kind": "meals", "amount": "10.123"}), 422, "too_many_decimals"
        )
        assert wcounts() == before
        cid = s.post("/expenses", {"kind": "meals", "amount": "20"}).json()["id"]
        assert_error(s.post(f"/expenses/{cid}/decision", {"approve": True}), 409, "own_request")


def test_w5_quality_feedback_by_category_model_part_cause(api, clerk, tech):
    c, t = api(clerk), api(tech)
    with frozen(T0):
        n = receive(c)["number"]
        act(c, n, "assign", {"technician": "tech"})
        act(t, n, "appointment", {**window(next_hour(T0)), "agreed_by": "customer"})
        act(t, n, "arrive")
        act(t, n, "complete", {**FULL_REPORT, "parts_replaced": [{"name": "电容", "quantity": 1}]})
        rows = c.get("/warranty/quality", month="2026-12").json()["rows"]
    assert rows == [
        {
            "category": "air_conditioner",
            "model": "KFR-35",
            "part": "电容",
            "fault_code": "E1",
            "cause": "缺氟",
            "count": 1,
        }
    ]
