"""Bad input anywhere in the API answers with the JSON error shape, never a 500."""

from __future__ import annotations

import pytest

from tests.flows.helpers import T0, assert_error, frozen, receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk_api(api, clerk):
    c = api(clerk)
    c.client.raise_request_exception = False
    return c


@pytest.mark.parametrize(
    "params",
    [
        {"page": "0"},
        {"page_size": "500"},
        {"page": "abc"},
        {"overdue": "maybe"},
        {"created_from": "last week"},
    ],
)
def test_o5_list_with_bad_parameters_is_422(clerk_api, params):
    assert_error(clerk_api.get("/orders", **params), 422)


def test_o5_list_with_huge_page_number_is_not_500(clerk_api):
    r = clerk_api.get("/orders", page=str(10**20))
    assert r.status_code in (200, 422), r.status_code


def test_o5_list_beyond_last_page_is_empty(clerk_api):
    with frozen(T0):
        receive(clerk_api)
    body = clerk_api.get("/orders", page="5").json()
    assert body["count"] == 1 and body["results"] == []


def test_o5_action_on_unknown_order_with_garbage_is_404(clerk_api):
    assert_error(clerk_api.post("/orders/%27%3B--/cancel", {"reason": "x"}), 404)
    assert_error(clerk_api.post("/orders/SO1/cancel", {"reason": "x" * 5000}), 404)


@pytest.mark.parametrize(
    "body",
    [
        {"technician": None},
        {"technician": ["tech"]},
        {"technician": {"a": 1}},
        {"technician": "t" * 151},
    ],
)
def test_o5_action_with_wrongly_typed_fields_is_422(clerk_api, tech, body):
    with frozen(T0):
        n = receive(clerk_api)["number"]
        assert_error(clerk_api.post(f"/orders/{n}/assign", body), 422, "validation")
