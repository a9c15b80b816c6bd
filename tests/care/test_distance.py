"""C-2 reminders by distance: readings, the estimate, the earlier of date and distance."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from aftersales.care.jobs import run_schedules
from aftersales.care.models import MileageReading, Task
from aftersales.customers.models import Customer, CustomerPhone, CustomerProduct
from aftersales.domain.care import TaskKind
from tests.flows.helpers import T0, assert_error, frozen

pytestmark = pytest.mark.django_db
DAY = T0.date()


def patch(api_obj, path, body):
    return api_obj.client.patch(
        "/api/v1" + path,
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api_obj.token}",
    )


@pytest.fixture
def car(clerk):
    c = Customer.objects.create(name="李雷", address="青岛市 2 号", tracker=clerk)
    CustomerPhone.objects.create(customer=c, number="+8613800138001")
    return CustomerProduct.objects.create(
        customer=c,
        category="vehicle",
        plate="鲁B54321",
        next_maintenance_due=DAY + timedelta(days=180),
    )


def drive_100_km_a_day(api_obj, car) -> dict:
    """Readings 60 and 30 days ago (10,000 → 13,000 km: 100 km/day), next service at +7,000."""
    for days, km in ((60, 10_000), (30, 13_000)):
        r = api_obj.post(
            f"/customers/products/{car.pk}/readings",
            {"km": km, "read_on": (DAY - timedelta(days=days)).isoformat()},
        )
        assert r.status_code == 201, r.content
    r = patch(api_obj, f"/customers/products/{car.pk}", {"maintenance_interval_km": 7_000})
    assert r.status_code == 200, r.content
    return r.json()


def test_c2_distance_reminder_due_before_the_date_one(api, clerk, car):
    c = api(clerk)
    with frozen(T0):
        body = drive_100_km_a_day(c, car)
        # 20,000 km reached 70 days after the last reading (DAY - 30) = DAY + 40
        assert body["next_maintenance_km"] == 20_000
        assert body["daily_km"] == 100.0
        assert body["distance_due_on"] == (DAY + timedelta(days=40)).isoformat()
        assert body["maintenance_due_by"] == "distance"
        run_schedules()
        assert not Task.objects.filter(kind=TaskKind.MAINTENANCE).exists()
    with frozen(T0 + timedelta(days=26)):  # 14 days ahead of DAY + 40
        run_schedules()
        run_schedules()
        t = Task.objects.get(kind=TaskKind.MAINTENANCE)
        assert (t.due_on, t.deadline, t.basis) == (
            DAY + timedelta(days=26),
            DAY + timedelta(days=40),
            "distance",
        )
        rows = c.get("/contacts/my-day").json()["results"]
        assert [(r["kind"], r["basis"]) for r in rows] == [("maintenance", "distance")]
        c.client.force_login(clerk)
        page = c.client.get("/care/", HTTP_ACCEPT_LANGUAGE="en")
    assert "due by distance" in page.content.decode()


def test_c2_date_reminder_when_the_date_comes_first(api, clerk, car):
    car.next_maintenance_due = DAY + timedelta(days=20)
    car.save()
    with frozen(T0):
        drive_100_km_a_day(api(clerk), car)
    with frozen(T0 + timedelta(days=6)):
        run_schedules()
        t = Task.objects.get(kind=TaskKind.MAINTENANCE)
    assert (t.due_on, t.basis) == (DAY + timedelta(days=6), "date")


def test_c2_without_readings_the_date_alone_counts(api, clerk, car):
    with frozen(T0):
        r = patch(api(clerk), f"/customers/products/{car.pk}", {"maintenance_interval_km": 7_000})
        assert r.json()["distance_due_on"] is None and r.json()["daily_km"] is None
    with frozen(T0 + timedelta(days=166)):
        run_schedules()
        t = Task.objects.get(kind=TaskKind.MAINTENANCE)
    assert (t.due_on, t.basis) == (DAY + timedelta(days=166), "date")


def test_c2_new_reading_moves_the_distance_reminder_and_closes_the_old(api, clerk, car):
    c = api(clerk)
    with frozen(T0):
        drive_100_km_a_day(c, car)
    with frozen(T0 + timedelta(days=30)):
        run_schedules()
        old = Task.objects.get(kind=TaskKind.MAINTENANCE, open=True)
        # Driving faster: 19,500 km today → 9,500 km in 90 days (105.6 a day); 20,000 in 5.
        r = c.post(f"/customers/products/{car.pk}/readings", {"km": 19_500})
        assert r.status_code == 201, r.content
        assert r.json()["product"]["distance_due_on"] == (DAY + timedelta(days=35)).isoformat()
        run_schedules()
        run_schedules()
    old.refresh_from_db()
    assert not old.open
    new = Task.objects.get(kind=TaskKind.MAINTENANCE, open=True)
    assert new.key.endswith((DAY + timedelta(days=35)).isoformat()) and new.basis == "distance"


def test_c2_reading_from_a_logged_call(api, clerk, car):
    c = api(clerk)
    with frozen(T0 - timedelta(days=30)):
        r = c.post(
            "/contacts", {"customer": car.customer_id, "purpose": "care", "mileage_km": 5_000}
        )
        assert r.status_code == 201, r.content
    with frozen(T0):
        r = c.post(
            "/contacts",
            {
                "customer": car.customer_id,
                "purpose": "care",
                "mileage_km": 8_000,
                "key_points": "ok",
            },
        )
        assert r.status_code == 201, r.content
    readings = list(MileageReading.objects.order_by("read_on").values_list("km", "source"))
    assert readings == [(5_000, "contact"), (8_000, "contact")]
    car.refresh_from_db()
    assert (car.mileage_km, car.daily_km) == (8_000, 100.0)
    assert MileageReading.objects.filter(contact__isnull=False).count() == 2


def test_c2_reading_below_an_earlier_one_refused_nothing_written(api, clerk, car):
    c = api(clerk)
    with frozen(T0):
        drive_100_km_a_day(c, car)
        before = MileageReading.objects.count()
        r = c.post(f"/customers/products/{car.pk}/readings", {"km": 12_000})
        assert_error(r, 422, "mileage_decreased")
        r = c.post(
            f"/customers/products/{car.pk}/readings",
            {"km": 30_000, "read_on": (DAY + timedelta(days=1)).isoformat()},
        )
        assert_error(r, 422, "reading_in_future")
        assert_error(c.post(f"/customers/products/{car.pk}/readings", {"km": -1}), 422)
    assert MileageReading.objects.count() == before


def test_c2_contact_mileage_needs_the_vehicle_when_ambiguous(api, clerk, car):
    CustomerProduct.objects.create(customer=car.customer, category="vehicle", plate="鲁B00001")
    before = MileageReading.objects.count()
    with frozen(T0):
        r = api(clerk).post(
            "/contacts", {"customer": car.customer_id, "purpose": "care", "mileage_km": 5_000}
        )
    assert_error(r, 422, "product_required")
    assert MileageReading.objects.count() == before


def test_c2_readings_visibility_and_roles(api, make_user, clerk, car):
    stranger = make_user("other", "technician")
    r = api(stranger).post(f"/customers/products/{car.pk}/readings", {"km": 1})
    assert_error(r, 404, "not_found")
    assert_error(api(stranger).get(f"/customers/products/{car.pk}/readings"), 404)
    with frozen(T0):
        assert (
            api(clerk).post(f"/customers/products/{car.pk}/readings", {"km": 1}).status_code == 201
        )
    got = api(clerk).get(f"/customers/products/{car.pk}/readings").json()["results"]
    assert [r["km"] for r in got] == [1]


def test_c2_distance_policy_numbers_editable(api, clerk, car):
    from aftersales.care.models import CarePolicyRow

    for row in CarePolicyRow.objects.all():
        row.mileage_min_readings = 3
        row.save()
    with frozen(T0):
        body = drive_100_km_a_day(api(clerk), car)
    assert body["daily_km"] is None and body["distance_due_on"] is None
    assert date.fromisoformat(body["maintenance_due"]) == DAY + timedelta(days=180)


def test_c2_a_reading_on_the_product_form_does_not_move_the_km_target(api, clerk, car):
    c = api(clerk)
    with frozen(T0 - timedelta(days=30)):
        r = patch(
            c,
            f"/customers/products/{car.pk}",
            {"mileage_km": 10_000, "maintenance_interval_km": 5_000},
        )
        assert r.json()["next_maintenance_km"] == 15_000
    with frozen(T0):
        r = patch(c, f"/customers/products/{car.pk}", {"mileage_km": 13_000})
    body = r.json()
    assert body["next_maintenance_km"] == 15_000
    assert body["daily_km"] == 100.0
    assert body["distance_due_on"] == (DAY + timedelta(days=20)).isoformat()
    assert MileageReading.objects.filter(product=car, source="form").count() == 2


def test_c2_reading_from_the_order_service_report_when_it_carries_one(api, clerk, tech):
    """The technician enters the odometer in the service report (R-1's `mileage_km`);
    completion records it as a reading of the service day, once."""
    from aftersales.care.services import schedule_for_completed_order
    from aftersales.orders.models import Order
    from tests.flows.helpers import FULL_REPORT, drive, receive

    c, t = api(clerk), api(tech)
    with frozen(T0):
        o = receive(c, product={"category": "vehicle"})
        drive(c, t, o["number"], "completed", now=T0, report={**FULL_REPORT, "mileage_km": 42_000})
    order = Order.objects.get(number=o["number"])
    assert order.report["mileage_km"] == 42_000
    with frozen(T0 + timedelta(hours=1)):  # a second run of the receiver adds nothing
        schedule_for_completed_order(order, now=T0 + timedelta(hours=1))
    got = list(
        MileageReading.objects.filter(product_id=order.product_id).values_list("km", "source")
    )
    assert got == [(42_000, "order")]
    order.product.refresh_from_db()
    assert order.product.mileage_km == 42_000


def test_c2_a_negative_mileage_in_the_report_is_refused(api, clerk, tech):
    from tests.flows.helpers import FULL_REPORT, assert_error, drive, receive

    c, t = api(clerk), api(tech)
    with frozen(T0):
        o = receive(c, product={"category": "vehicle"})
        drive(c, t, o["number"], "on_site", now=T0)
        before = MileageReading.objects.count()
        r = t.post(f"/orders/{o['number']}/complete", {**FULL_REPORT, "mileage_km": -5})
    err = assert_error(r, 422, "validation")
    assert any("mileage_km" in k for k in err["fields"]), err
    assert MileageReading.objects.count() == before
