"""Plain dicts of parts objects for the API and the pages."""

from __future__ import annotations

from typing import Any

from .models import Part, PartRequest, StockCount, StockDoc
from .selectors import OnHand, promised_date
from .services import slip_lines


def part_dict(p: Part) -> dict[str, Any]:
    return {
        "code": p.code,
        "name": p.name,
        "model": p.model,
        "spec": p.spec,
        "fits_models": p.fits_models,
        "substitutes": sorted(s.code for s in p.substitutes.all()),
        "use": p.use,
        "unit_cost": str(p.unit_cost),
        "list_price": str(p.list_price),
        "currency": p.currency,
        "barcode": p.barcode,
        "active": p.active,
    }


def doc_dict(d: StockDoc) -> dict[str, Any]:
    lines = slip_lines(d)
    return {
        "number": d.number,
        "kind": d.kind,
        "warehouse": d.warehouse.code,
        "at": d.at.isoformat(),
        "actor": d.actor.username if d.actor else None,
        "order": d.order.number if d.order else None,
        "issued_to": d.issued_to.username if d.issued_to else None,
        "note": d.note,
        "lines": [
            {k: (str(v) if k == "value" else v) for k, v in line.items() if k != "sort"}
            for line in lines
        ],
    }


def request_dict(r: PartRequest) -> dict[str, Any]:
    def iso(v: Any) -> Any:
        return v.isoformat() if v is not None else None

    return {
        "id": r.pk,
        "version": r.version,
        "order": r.order.number,
        "order_part_id": r.order_part_id,
        "part": r.part.code,
        "part_name": r.part.name,
        "quantity": r.quantity,
        "warehouse": r.warehouse.code,
        "status": r.status,
        "shipped_by": r.shipped_by,
        "requested_by": r.requested_by.username,
        "requested_at": iso(r.requested_at),
        "late": r.late,
        "promised_date": iso(promised_date(r)),
        "approved_at": iso(r.approved_at),
        "shipped_at": iso(r.shipped_at),
        "received_at": iso(r.received_at),
        "issued_at": iso(r.issued_at),
        "issue_doc": r.issue_doc.number if r.issue_doc_id and r.issue_doc else None,
        "fitted_at": iso(r.fitted_at),
        "note": r.note,
    }


def on_hand_dict(row: OnHand) -> dict[str, Any]:
    return {
        "part": row.part,
        "name": row.name,
        "warehouse": row.warehouse,
        "bin": row.bin,
        "area": row.area,
        "qty": row.qty,
        "aged_from": row.aged_from.isoformat() if row.aged_from else None,
        "band": row.band.value,
    }


def count_dict(c: StockCount, *, lines: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": c.pk,
        "warehouse": c.warehouse.code,
        "status": c.status,
        "started_at": c.started_at.isoformat(),
        "closed_at": c.closed_at.isoformat() if c.closed_at else None,
    }
    if lines:
        out["lines"] = [
            {
                "id": x.pk,
                "bin": x.bin.label,
                "part": x.part.code,
                "book": x.book_qty,
                "counted": x.counted_qty,
                "variance": x.variance,
                "reason": x.reason,
                "approved": x.approved_at is not None,
            }
            for x in c.lines.select_related("bin", "part").order_by(
                "bin__zone", "bin__shelf", "bin__level", "bin__position", "part__code"
            )
        ]
    return out
