"""K-1 monthly after-sales and product-quality report (PDF + XLSX), archived; C-9 the
supervisor's summary archived with the figures, immutable, corrections as new versions."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, transaction
from openpyxl import load_workbook

from aftersales.kpis.models import Report
from tests.conftest import local
from tests.flows.helpers import assert_error, frozen

pytestmark = pytest.mark.django_db

AFTER = local(2027, 1, 5, 9)


def _archive(client, **body):
    with frozen(AFTER):
        return client.post("/kpis/reports", {"kind": "monthly", "period": "2026-12", **body})


def test_c9_summary_archived_with_figures_and_reopened_unchanged(api, supervisor, build, client):
    build(status="closed", closed_at=local(2026, 12, 8), within_sla=True, assessed_hours=5)
    r = _archive(api(supervisor), summary="十二月：按时关闭率良好。")
    assert r.status_code == 201, r.content
    first = r.json()
    row = Report.objects.get(pk=first["id"])
    assert row.version == 1 and row.scope == "qd-01"  # a supervisor's outlet
    assert row.summary == "十二月：按时关闭率良好。"
    figures = {f["id"]: f for f in row.figures["figures"]}
    assert figures["sla_compliance"]["value"] == "100.0"
    assert bytes(row.pdf)[:4] == b"%PDF" and bytes(row.xlsx)[:2] == b"PK"
    pdf, xlsx = bytes(row.pdf), bytes(row.xlsx)
    # later data changes nothing in the archive: reopening serves the same bytes
    build(status="closed", closed_at=local(2026, 12, 9), within_sla=False, assessed_hours=500)
    with frozen(AFTER + timedelta(days=3)):
        client.force_login(supervisor)
        got_pdf = client.get(f"/kpis/reports/{row.pk}/report.pdf")
        got_xlsx = client.get(f"/kpis/reports/{row.pk}/report.xlsx")
        api_pdf = api(supervisor).get(f"/kpis/reports/{row.pk}/pdf")
        page = client.get(f"/kpis/reports/{row.pk}/")
    assert got_pdf.content == pdf and got_xlsx.content == xlsx and api_pdf.content == pdf
    assert got_pdf["X-Content-SHA256"] == row.sha256
    assert "十二月：按时关闭率良好。" in page.content.decode()
    wb = load_workbook(io.BytesIO(xlsx), read_only=True)
    assert len(wb.sheetnames) == 5  # figures, outlets, technicians, quality, summary
    assert next(wb.worksheets[-1].iter_rows(values_only=True))[0] == "十二月：按时关闭率良好。"


def test_c9_correction_is_a_new_version_old_one_still_readable(api, supervisor, build):
    build()
    one = _archive(api(supervisor), summary="first").json()
    two = _archive(api(supervisor), summary="corrected").json()
    three = _archive(api(supervisor)).json()  # no summary given: the last one carries over
    assert (one["version"], two["version"], three["version"]) == (1, 2, 3)
    assert three["summary"] == "corrected"
    old = Report.objects.get(pk=one["id"])
    assert old.summary == "first"
    with frozen(AFTER):
        assert api(supervisor).get(f"/kpis/reports/{one['id']}").json()["summary"] == "first"


def test_c9_archived_report_cannot_be_changed(api, supervisor, build):
    build()
    row = Report.objects.get(pk=_archive(api(supervisor), summary="x").json()["id"])
    row.summary = "rewritten"
    with pytest.raises(ValueError):
        row.save()
    with pytest.raises(DatabaseError), transaction.atomic():  # the trigger, below the ORM
        Report.objects.filter(pk=row.pk).update(summary="rewritten")
    assert Report.objects.get(pk=row.pk).summary == "x"


def test_c9_report_refusals_write_nothing(api, supervisor, clerk, build):
    build()
    c = api(supervisor)
    with frozen(AFTER):
        assert_error(c.post("/kpis/reports", {"period": "2027-01"}), 409, "period_not_over")
        assert_error(c.post("/kpis/reports", {"period": "2027-03"}), 422, "period_in_future")
        assert_error(c.post("/kpis/reports", {"period": "2026-13"}), 422, "validation")
        assert_error(c.post("/kpis/reports", {"period": ""}), 422, "validation")
        assert_error(c.post("/kpis/reports", {"period": "2026-12", "outlet": "zz"}), 422, "unknown_outlet")  # fmt: skip
        assert_error(c.post("/kpis/reports", {"period": "2026-12", "summary": "x" * 20001}), 422, "validation")  # fmt: skip
        assert_error(api(clerk).post("/kpis/reports", {"period": "2026-12"}), 403, "forbidden")
    assert Report.objects.count() == 0


def test_c9_yearly_summary(api, manager, build):
    build()
    with frozen(AFTER):
        r = api(manager).post("/kpis/reports", {"kind": "yearly", "period": "2026", "summary": "2026 年度总结"})  # fmt: skip
    assert r.status_code == 201, r.content
    row = Report.objects.get(pk=r.json()["id"])
    assert (row.kind, row.period, row.scope) == ("yearly", "2026", "*")
    assert {f["id"]: f for f in row.figures["figures"]}["orders_received"]["value"] == "1"


def test_k1_reports_visible_per_outlet(api, supervisor, make_user, other_outlet, manager, build):
    build()
    _archive(api(supervisor), summary="qd")
    far = make_user("sup_jn", "supervisor", outlet=other_outlet)
    with frozen(AFTER):
        assert api(far).get("/kpis/reports").json()["results"] == []
        rid = Report.objects.get().pk
        assert_error(api(far).get(f"/kpis/reports/{rid}"), 404, "not_found")
        assert len(api(manager).get("/kpis/reports").json()["results"]) == 1


def test_k1_cli_report_monthly_with_outlet(build, tmp_path, supervisor):
    build()
    pdf, xlsx = tmp_path / "r.pdf", tmp_path / "r.xlsx"
    out = io.StringIO()
    with frozen(AFTER):
        call_command("report", "monthly", "2026-12", "--outlet", "qd-01", "--summary", "cli", "--pdf", str(pdf), "--xlsx", str(xlsx), stdout=out)  # fmt: skip
    row = Report.objects.get()
    assert (row.scope, row.summary, row.created_by) == ("qd-01", "cli", None)
    assert pdf.read_bytes() == bytes(row.pdf) and xlsx.read_bytes() == bytes(row.xlsx)
    assert f"Report {row.pk}: monthly 2026-12 qd-01 v1" in out.getvalue()
    again = tmp_path / "again.pdf"
    call_command("report", "show", str(row.pk), "--pdf", str(again), stdout=io.StringIO())
    assert again.read_bytes() == bytes(row.pdf)
    with frozen(AFTER), pytest.raises(CommandError, match="outlet"):
        call_command("report", "monthly", "2026-12", "--outlet", "nope", stdout=io.StringIO())
    with frozen(AFTER), pytest.raises(CommandError):
        call_command("report", "monthly", "2027-05", stdout=io.StringIO())
    assert Report.objects.count() == 1


def test_k1_cli_alias_dispatch():
    """`aftersales report monthly …` reaches the `report` command without an alias."""
    from aftersales import cli

    assert ("report", "monthly") not in cli.ALIASES and "report" not in cli.SINGLE


def test_c9_report_page_writes_a_new_version(client, supervisor, build):
    build()
    with frozen(AFTER):
        client.force_login(supervisor)
        r = client.post("/kpis/reports/", {"kind": "monthly", "period": "2026-12", "summary": "页"})
        assert r.status_code == 302
        row = Report.objects.get()
        r = client.post("/kpis/reports/", {"kind": "monthly", "period": "2026-12", "summary": "页 v2"})  # fmt: skip
        bad = client.post("/kpis/reports/", {"kind": "monthly", "period": "2027-09"})
        listing = client.get("/kpis/reports/")
        rows = client.get("/kpis/reports/", {"format": "csv"})
    assert Report.objects.count() == 2 and Report.objects.get(pk=row.pk).summary == "页"
    assert bad.status_code == 422 and 'class="field-error"' in bad.content.decode()
    assert listing.status_code == 200 and "v2" in listing.content.decode()
    assert len(b"".join(rows.streaming_content).decode("utf-8-sig").strip().splitlines()) == 3
