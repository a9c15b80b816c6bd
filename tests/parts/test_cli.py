"""CLI: parts import FILE, stock count start|close WAREHOUSE, parts ageing --export."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from openpyxl import load_workbook

from aftersales.parts.models import Part, StockBalance, StockCount
from tests.parts.test_stock import receive as stock_in

CSV = """code,name,model,unit_cost,list_price,fits_models,substitutes,barcode
P-1,Capacitor,C1,2.50,6.00,KFR-35;KFR-26,P-2,111
P-2,Capacitor B,C1,2.60,6.00,KFR-35,,222
"""


@pytest.mark.django_db
def test_p1_cli_parts_import_csv_and_bad_file_writes_nothing(tmp_path, keeper):
    f = tmp_path / "parts.csv"
    f.write_text(CSV)
    out = StringIO()
    call_command("parts", "import", str(f), "--as", "keeper", stdout=out)
    assert "2 created" in out.getvalue()
    p1 = Part.objects.get(code="P-1")
    assert [s.code for s in p1.substitutes.all()] == ["P-2"] and p1.fits_models == [
        "KFR-35",
        "KFR-26",
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text(CSV.replace("2.60", "-1").replace("P-1,", "P-9,"))
    with pytest.raises(CommandError, match="import_row_invalid"):
        call_command("parts", "import", str(bad), "--as", "keeper")
    assert Part.objects.count() == 2


@pytest.mark.django_db
def test_p4_cli_count_start_twice_refused_and_close(api, keeper, wh, part):
    stock_in(api(keeper), 2)
    out = StringIO()
    call_command("stock", "count", "start", "qd-main", "--as", "keeper", stdout=out)
    assert "1 lines" in out.getvalue()
    with pytest.raises(CommandError, match="count_already_open"):
        call_command("stock", "count", "start", "qd-main", "--as", "keeper")
    with pytest.raises(CommandError, match="count_incomplete"):
        call_command("stock", "count", "close", "qd-main", "--as", "keeper")
    line = StockCount.objects.get().lines.get()
    line.counted_qty = 2
    line.save()
    call_command("stock", "count", "close", "qd-main", "--as", "keeper", stdout=StringIO())
    assert StockCount.objects.get().status == "closed"


@pytest.mark.django_db
def test_p5_cli_ageing_export(tmp_path, api, keeper, wh, part):
    stock_in(api(keeper), 2)
    StockBalance.objects.update(aged_from=timezone.now() - timedelta(days=40))
    f = tmp_path / "ageing.xlsx"
    out = StringIO()
    call_command("parts", "ageing", "--export", str(f), stdout=out)
    assert "1 rows" in out.getvalue()
    rows = list(load_workbook(f).worksheets[0].iter_rows(values_only=True))
    assert rows[1][0] == "P-100" and rows[1][-1] == "yellow"
