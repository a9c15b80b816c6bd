"""O-1/O-3 in bulk: importing CSV/XLSX feeds and reconciling them against the source."""

from __future__ import annotations

import csv
from datetime import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from aftersales.customers.models import Customer
from aftersales.orders.importer import COLUMNS
from aftersales.orders.models import Order, OrderEvent, Reconciliation
from tests.conftest import local
from tests.flows.helpers import T0, counts, frozen

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("outlet")]


def row(ref: str, **over: str) -> dict[str, str]:
    base = {
        "source": "call_centre",
        "source_ref": ref,
        "outlet": "qd-01",
        "customer_name": "李雷",
        "phones": "13800138000",
        "address": "青岛市崂山区 1 号",
        "region": "Qingdao",
        "category": "air_conditioner",
        "brand": "Haier",
        "model": "KFR-35",
        "serial": "",
        "purchase_date": "2025-05-01",
        "service_type": "repair",
        "service_mode": "on_site",
        "fault": "漏水",
        "requested_at": "2026-12-07 10:00",
        "remarks": "",
        "market_tier": "",
        "priority": "",
    }
    base.update(over)
    return base


def write_csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(rows)
    return str(path)


ROWS = [
    row("CC-1"),  # line 2: good
    row("CC-2", phones="12345"),  # line 3: bad phone
    row("CC-3", category="hovercraft"),  # line 4: unknown category
    row("", customer_name="无单号"),  # line 5: no source_ref
    row("CC-5", requested_at="31/31/2026 25:00"),  # line 6: bad date
    row(
        "CC-6",
        phones="13900139000；+86 137 0013 7000",
        serial="SN-6",
        service_mode="carry_in_one_way",
        market_tier="3",
    ),  # line 7: good
    row("CC-7", purchase_date="not-a-date"),  # line 8: bad purchase date
    row("CC-1", customer_name="重复行"),  # line 9: duplicate in file
]


def _import(path, *args):
    out, err = StringIO(), StringIO()
    call_command("import_orders", path, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_o3_import_csv_takes_good_rows_and_reports_bad_lines(tmp_path, clerk):
    path = write_csv(tmp_path / "feed.csv", ROWS)
    with frozen(T0):
        out, err = _import(path, "--as", "clerk")
    assert out.strip() == "created=2 already_imported=0 rejected=6"
    bad_lines = sorted(int(line.split()[1].rstrip(":")) for line in err.splitlines())
    assert bad_lines == [3, 4, 5, 6, 8, 9]
    lines = {int(x.split()[1].rstrip(":")): x for x in err.splitlines()}
    assert "customer.phones.0" in lines[3]
    assert "product.category" in lines[4]
    assert "source_ref" in lines[5] and "source_ref" in lines[9]
    assert "requested_at" in lines[6] and "purchase_date" in lines[8]
    assert set(Order.objects.values_list("source_ref", flat=True)) == {"CC-1", "CC-6"}
    six = Order.objects.get(source_ref="CC-6")
    assert six.contact_phones == ["+8613900139000", "+8613700137000"]
    assert (six.market_tier, six.sla_hours, six.received_by) == (3, 72, clerk)
    assert six.requested_at == local(2026, 12, 7, 10, 0)
    assert OrderEvent.objects.filter(action="receive").count() == 2


def test_o3_same_file_twice_imports_nothing_twice(tmp_path):
    path = write_csv(tmp_path / "feed.csv", ROWS)
    with frozen(T0):
        _import(path)
        before = counts()
        out, _ = _import(path)
    # The two good rows and the in-file repeat of CC-1 are known now; broken rows stay broken.
    assert out.strip() == "created=0 already_imported=3 rejected=5"
    assert counts() == before


def test_o3_import_finds_existing_customer_by_phone(tmp_path):
    path = write_csv(
        tmp_path / "a.csv",
        [row("A-1", phones="138-0013-8000"), row("A-2", phones="+8613800138000", serial="X")],
    )
    with frozen(T0):
        out, _ = _import(path)
    assert out.startswith("created=2")
    assert Customer.objects.count() == 1


def test_o3_import_xlsx(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(list(COLUMNS))
    good = row(
        "X-1",
        phones=13800138000,
        requested_at=datetime(2026, 12, 7, 10, 0),
        purchase_date=datetime(2025, 5, 1),
        market_tier=2,
    )
    ws.append([good.get(c) for c in COLUMNS])
    ws.append([row("X-2", category="spaceship").get(c) for c in COLUMNS])
    ws.append([None] * len(COLUMNS))  # blank rows are skipped
    ws.append([row("X-4", phones="13900139000").get(c) for c in COLUMNS])
    path = tmp_path / "feed.xlsx"
    wb.save(path)
    with frozen(T0):
        out, err = _import(str(path))
    assert out.strip() == "created=2 already_imported=0 rejected=1"
    assert err.startswith("line 3:")
    x1 = Order.objects.get(source_ref="X-1")
    assert x1.contact_phones == ["+8613800138000"] and x1.market_tier == 2
    assert x1.product.purchase_date.isoformat() == "2025-05-01"


def test_o3_import_file_without_required_columns_is_refused(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("source,customer_name\ncall_centre,张三\n", encoding="utf-8")
    with pytest.raises(CommandError, match="source_ref"):
        _import(str(path))
    with pytest.raises(CommandError, match="No such file"):
        _import(str(tmp_path / "missing.csv"))
    assert Order.objects.count() == 0


# -- reconcile ---------------------------------------------------------------------------------


def _seed(tmp_path, refs):
    with frozen(T0):
        _import(write_csv(tmp_path / "seed.csv", [row(r) for r in refs]))


def test_o3_reconcile_reports_missing_and_duplicated_refs(tmp_path):
    _seed(tmp_path, ["R-1", "R-2", "R-3"])
    feed = tmp_path / "source.csv"
    feed.write_text("source_ref,name\nR-1,a\nR-2,b\nR-2,b again\nR-9,lost\n", encoding="utf-8")
    out = StringIO()
    with frozen(T0), pytest.raises(SystemExit) as exit_info:
        call_command("reconcile", "call_centre", str(feed), stdout=out)
    assert exit_info.value.code == 1
    text = out.getvalue()
    assert "missing=1" in text and "duplicated=1" in text and "in_file=4" in text
    assert "MISSING (lost?): R-9" in text and "DUPLICATED in source: R-2" in text
    run = Reconciliation.objects.get()
    assert (run.source, run.in_file, run.missing, run.duplicated) == (
        "call_centre",
        4,
        ["R-9"],
        ["R-2"],
    )


def test_o3_reconcile_with_day_lists_orders_the_source_does_not_know(tmp_path):
    _seed(tmp_path, ["R-1", "R-2", "R-3"])
    feed = tmp_path / "source.txt"
    feed.write_text("R-1\nR-2\n", encoding="utf-8")
    out = StringIO()
    with frozen(T0), pytest.raises(SystemExit):
        call_command("reconcile", "call_centre", str(feed), "--date", "2026-12-07", stdout=out)
    assert "EXTRA (not in source): R-3" in out.getvalue()
    assert Reconciliation.objects.get().extra == ["R-3"]


def test_o3_reconcile_clean_file_exits_normally(tmp_path):
    _seed(tmp_path, ["R-1", "R-2"])
    feed = tmp_path / "source.csv"
    feed.write_text("source_ref\nR-1\nR-2\n", encoding="utf-8")
    out = StringIO()
    with frozen(T0):
        call_command("reconcile", "call_centre", str(feed), "--date", "2026-12-07", stdout=out)
    assert "missing=0 extra=0 duplicated=0" in out.getvalue()
    run = Reconciliation.objects.get()
    assert (run.in_file, run.missing, run.extra, run.duplicated) == (2, [], [], [])


def test_o3_reconcile_xlsx_source(tmp_path):
    _seed(tmp_path, ["R-1"])
    wb = Workbook()
    wb.active.append(["source_ref"])
    wb.active.append(["R-1"])
    wb.active.append(["R-404"])
    wb.save(tmp_path / "source.xlsx")
    with frozen(T0), pytest.raises(SystemExit):
        call_command("reconcile", "call_centre", str(tmp_path / "source.xlsx"), stdout=StringIO())
    assert Reconciliation.objects.get().missing == ["R-404"]


def test_o3_reconcile_refuses_unknown_source_bad_date_missing_file(tmp_path):
    feed = tmp_path / "s.csv"
    feed.write_text("source_ref\nR-1\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("reconcile", "pigeon", str(feed))
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("reconcile", "call_centre", str(feed), "--date", "7/12")
    with pytest.raises(CommandError, match="No such file"):
        call_command("reconcile", "call_centre", str(tmp_path / "nope.csv"))
    assert Reconciliation.objects.count() == 0
