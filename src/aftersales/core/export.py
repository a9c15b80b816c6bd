"""Every list exports to CSV and XLSX with the filters on screen.

A list view hands its filtered queryset's rows (an iterator, never a list) and its headers
to `response()`; both formats stream, so memory stays flat as rows grow:
CSV through a `StreamingHttpResponse`, XLSX through openpyxl's write-only workbook (which
spools rows to a temporary file) and a `FileResponse` over that file.

    fmt = export.wanted(request)
    if fmt:
        return export.response(fmt, name="orders", headers=HEADERS, rows=(row(o) for o in qs.iterator()))

In a template, `{% load export %}{% export_links %}` renders the two links with the
current query string (minus `page`).
"""

from __future__ import annotations

import csv
import enum
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from django.http import FileResponse, HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from openpyxl import Workbook

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Excel opens UTF-8 CSV with Chinese and Korean text correctly only with a byte-order mark.
BOM = "\ufeff"


def wanted(request: HttpRequest) -> str | None:
    """The export format asked for by `?format=`, or None for the page itself."""
    fmt = request.GET.get("format", "")
    return fmt if fmt in FORMATS else None


def cell(value: Any) -> Any:
    """A value as a spreadsheet cell: local wall-clock times, plain strings, no None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, enum.Enum):
        return cell(value.value)
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, int | float | Decimal | date | str):
        return value
    return str(value)


def _text(value: Any) -> str:
    v = cell(value)
    return v.isoformat(sep=" ") if isinstance(v, datetime) else str(v)


class _Echo:
    """csv.writer target that hands each encoded line back instead of buffering it."""

    def write(self, value: str) -> str:
        return value


def csv_lines(headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    w = csv.writer(_Echo())
    yield BOM + w.writerow([_text(h) for h in headers])
    for row in rows:
        yield w.writerow([_text(v) for v in row])


def write_csv(out: IO[str], headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> int:
    """Write to a text file (the CLI's `--export x.csv`); returns the number of data rows."""
    n = -1
    for line in csv_lines(headers, rows):
        out.write(line)
        n += 1
    return n


def write_xlsx(
    out: IO[bytes] | str, headers: Sequence[Any], rows: Iterable[Sequence[Any]], *, sheet: str
) -> int:
    """Write a one-sheet workbook, row by row; returns the number of data rows."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_sheet_title(sheet))
    ws.append([_text(h) for h in headers])
    n = 0
    for row in rows:
        ws.append([cell(v) for v in row])
        n += 1
    wb.save(out)
    return n


def write(
    fmt: str, path: str, headers: Sequence[Any], rows: Iterable[Sequence[Any]], *, sheet: str
) -> int:
    """Write a file by its format (CLI exports)."""
    if fmt == "csv":
        with open(path, "w", encoding="utf-8", newline="") as f:
            return write_csv(f, headers, rows)
    return write_xlsx(path, headers, rows, sheet=sheet)


def format_of(path: str) -> str:
    """The export format a file name asks for (`.csv`, else XLSX)."""
    return "csv" if path.lower().endswith(".csv") else "xlsx"


def response(
    fmt: str, *, name: str, headers: Sequence[Any], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse | FileResponse:
    """A download of the rows; `name` becomes the file name, with the date appended."""
    filename = f"{name}-{timezone.localdate():%Y%m%d}.{fmt}"
    if fmt == "csv":
        resp = StreamingHttpResponse(csv_lines(headers, rows), content_type=CONTENT_TYPES["csv"])
        resp["Content-Disposition"] = content_disposition_header(True, filename)
        return resp
    # The write-only workbook keeps rows in its own temporary files; this spool holds the
    # finished zip only, on disk past 4 MB.
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=4 << 20)  # noqa: SIM115
    write_xlsx(spool, headers, rows, sheet=name)
    spool.seek(0)
    return FileResponse(
        spool, as_attachment=True, filename=filename, content_type=CONTENT_TYPES["xlsx"]
    )


def _sheet_title(name: str) -> str:
    # Excel refuses these characters and titles over 31 characters.
    clean = "".join("-" if ch in "[]:*?/\\" else ch for ch in name)
    return clean[:31] or "export"
