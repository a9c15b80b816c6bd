"""Issue 7: the dispatch lists export to CSV and XLSX through `aftersales.core.export`: the day
board's plan lines, the clerk's board (D-3, one file with a Section column) and the
technician's day (D-4), with the page's filters, visibility and personal data."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from aftersales.dispatch import selectors
from aftersales.dispatch.models import PlanProposal
from tests.conftest import Api, local
from tests.flows.helpers import T0, act, frozen, window

pytestmark = pytest.mark.django_db
FORMATS = ["csv", "xlsx"]
DAY = "2026-12-08"  # T0's tomorrow: the board's default day


def login(user: Any, language: str = "en") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=language)
    c.force_login(user)
    return c


def table(resp: Any, fmt: str) -> list[list[str]]:
    """The download parsed back: CSV by the csv module, XLSX by openpyxl; cells as text."""
    assert resp.status_code == 200, resp
    body = b"".join(resp.streaming_content)
    if fmt == "csv":
        assert resp["Content-Type"].startswith("text/csv")
        return list(csv.reader(io.StringIO(body.decode("utf-8").lstrip("\ufeff"))))
    ws = load_workbook(io.BytesIO(body)).active
    assert ws is not None
    return [["" if v is None else str(v) for v in r] for r in ws.iter_rows(values_only=True)]


# --- The day board (D-2) -----------------------------------------------------------------------


def _propose(c: Client, day: str = DAY) -> PlanProposal:
    with frozen(T0):
        r = c.post("/dispatch/board/propose/", {"outlet": "qd-01", "day": day, "seconds": "1"})
    assert r.status_code == 302
    return PlanProposal.objects.latest("pk")


BOARD_HEADERS = [
    "Technician",
    "Sequence",
    "Order",
    "Planned arrival",
    "Start",
    "End",
    "Travel (km)",
    "Window agreed",
    "State",
    "Message",
]


@pytest.mark.parametrize("fmt", FORMATS)
def test_d2_board_exports_the_shown_plan_lines(fmt, disp, techs, new_order):
    a = new_order()
    b = new_order(lat=36.07, lon=120.39)
    c = login(disp)
    prop = _propose(c)
    with frozen(T0):
        page = c.get(f"/dispatch/board/?outlet=qd-01&day={DAY}").content.decode()
        assert f"outlet=qd-01&amp;day={DAY}&amp;format={fmt}" in page
        rows = table(c.get(f"/dispatch/board/?outlet=qd-01&day={DAY}&format={fmt}"), fmt)
    assert rows[0] == BOARD_HEADERS
    lines = {ln.order.number: ln for ln in prop.lines.select_related("order", "technician")}
    assert sorted(r[2] for r in rows[1:]) == sorted([a, b]) == sorted(lines)
    for r in rows[1:]:
        ln = lines[r[2]]
        assert r[0] == str(ln.technician) and r[1] == str(ln.seq) and r[8] == "Proposed"
        assert r[4].startswith(f"{DAY} ") or r[4].startswith(f"{DAY}T")  # local wall clock
    # The day filter: another day has no plan, so no lines; a bad day is tomorrow, as the page.
    with frozen(T0):
        assert (
            table(c.get(f"/dispatch/board/?outlet=qd-01&day=2026-12-09&format={fmt}"), fmt)[1:]
            == []
        )
        assert len(table(c.get(f"/dispatch/board/?outlet=qd-01&day=nope&format={fmt}"), fmt)) == 3
        # An outlet the page does not know shows nothing, and exports nothing.
        assert table(c.get(f"/dispatch/board/?outlet=zz-99&format={fmt}"), fmt) == [BOARD_HEADERS]


def test_d2_board_export_refused_like_the_page(tech):
    assert login(tech).get("/dispatch/board/?format=csv").status_code == 403


# --- The clerk's board (D-3) -------------------------------------------------------------------

CLERK_HEADERS = [
    "Section",
    "Number",
    "Flags",
    "Customer",
    "Status",
    "Technician",
    "Window from",
    "Window to",
    "SLA due",
    "At risk",
]


@pytest.mark.parametrize("fmt", FORMATS)
def test_d3_clerk_board_exports_every_section_with_the_person_filter(
    fmt, clerk, disp, techs, new_order, make_user
):
    carry = new_order(service_mode="carry_in_both_ways")
    visit = new_order()
    with frozen(T0):
        act(Api(clerk), visit, "assign", {"technician": "tech"})
        act(
            Api(clerk),
            visit,
            "appointment",
            {**window(local(2026, 12, 8, 10, 0)), "agreed_by": "customer"},
        )
        page = login(clerk).get("/dispatch/clerk/").content.decode()
        rows = table(login(clerk).get(f"/dispatch/clerk/?format={fmt}"), fmt)
    assert "format=xlsx" in page
    assert rows[0] == CLERK_HEADERS
    got = {(r[0], r[1]) for r in rows[1:]}
    assert ("Carry-in orders", carry) in got and ("Tomorrow's visits", visit) in got
    assert ("Carry-in orders", visit) not in got
    tomorrow = next(r for r in rows[1:] if r[1] == visit and r[0] == "Tomorrow's visits")
    assert tomorrow[3] == "王芳" and tomorrow[5] == "tech"
    assert tomorrow[6].startswith("2026-12-08 10:00")
    # The person filter: a supervisor picks whose board; another person's orders are absent.
    sup = make_user("sup", "supervisor")
    with frozen(T0):
        mine = table(login(sup).get(f"/dispatch/clerk/?person=clerk&format={fmt}"), fmt)
        theirs = table(login(sup).get(f"/dispatch/clerk/?person=disp&format={fmt}"), fmt)
        fallback = table(login(sup).get(f"/dispatch/clerk/?person=nobody&format={fmt}"), fmt)
    assert carry in {r[1] for r in mine[1:]}
    assert theirs[1:] == []  # disp received nothing
    assert fallback == mine  # an unknown person: the first one listed ("clerk"), as the page


def test_d3_clerk_board_export_shows_no_phone_or_address(clerk, techs, new_order):
    new_order(service_mode="carry_in_both_ways")
    with frozen(T0):
        body = b"".join(login(clerk).get("/dispatch/clerk/?format=csv").streaming_content)
    text = body.decode()
    assert "王芳" in text  # the name, as on the board
    assert "138" not in text and "香港中路" not in text  # the board shows no phone, no address


def test_d3_clerk_board_export_refused_like_the_page(tech):
    assert login(tech).get("/dispatch/clerk/?format=xlsx").status_code == 403


# --- The technician's day (D-4) ----------------------------------------------------------------

MY_DAY_HEADERS = [
    "Sequence",
    "Number",
    "Status",
    "Planned",
    "Window from",
    "Window to",
    "Customer",
    "Phones",
    "Address",
    "Category",
    "Fault",
]


@pytest.mark.parametrize("fmt", FORMATS)
def test_d4_my_day_exports_todays_jobs_as_listed(fmt, disp, techs, new_order):
    tech = techs[0]
    today, later, others = new_order(), new_order(), new_order()
    api = Api(disp)
    with frozen(T0):
        for n, who, start in (
            (today, "tech", local(2026, 12, 7, 10, 0)),
            (later, "tech", local(2026, 12, 9, 10, 0)),  # another day: not on today's list
            (others, "tech2", local(2026, 12, 7, 11, 0)),  # someone else's job
        ):
            act(api, n, "assign", {"technician": who})
            act(api, n, "appointment", {**window(start), "agreed_by": "customer"})
        page = login(tech).get("/dispatch/my-day/").content.decode()
        rows = table(login(tech).get(f"/dispatch/my-day/?format={fmt}"), fmt)
        jobs = selectors.my_day(tech, day=T0.date())
    assert "format=csv" in page
    assert rows[0] == MY_DAY_HEADERS
    assert [r[1] for r in rows[1:]] == [today]
    r = rows[1]
    job = jobs[0]
    # Personal data exactly as the page's presenter gives it to this technician.
    assert r[6] == job.contact == "王芳"
    assert r[7] == ", ".join(job.phones) and job.phones and job.phones[0].replace(" ", "") in page
    assert r[8] == job.address and "香港中路" in r[8]
    assert r[4].startswith("2026-12-07 10:00") and r[2] == "Appointment agreed"


def test_d4_my_day_export_refused_like_the_page(clerk):
    assert login(clerk).get("/dispatch/my-day/?format=csv").status_code == 403


def test_headers_in_the_users_language(clerk):
    from django.utils import translation

    with translation.override("zh-hans"):
        want = translation.gettext("Number")
    assert want != "Number"
    with frozen(T0):
        rows = table(login(clerk, "zh-hans").get("/dispatch/clerk/?format=csv"), "csv")
    assert rows[0][1] == want


@pytest.mark.parametrize("fmt", FORMATS)
def test_d2_board_export_lists_the_orders_not_placed(fmt, disp, techs, new_order):
    from aftersales.dispatch.models import PlanProposal

    a = new_order()
    c = login(disp)
    prop = _propose(c)
    PlanProposal.objects.filter(pk=prop.pk).update(
        unplanned=[{"order": "SO-LATE", "reason": "window", "message": "No window fits."}]
    )
    with frozen(T0):
        rows = table(c.get(f"/dispatch/board/?outlet=qd-01&day={DAY}&format={fmt}"), fmt)
    assert [r[2] for r in rows[1:]] == [a, "SO-LATE"]
    assert rows[-1][8] == "Not placed" and rows[-1][9] == "No window fits." and rows[-1][0] == ""
