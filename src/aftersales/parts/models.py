"""Spare parts: master (P-1), warehouses and bins (P-2), an append-only ledger with balances
and FIFO lots (P-3), requests against orders (O-13), old-part returns (P-8), counts (P-4),
reorder rules (P-6) and the outlet's parts account (P-7)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.core.refcache import ProcessCache
from aftersales.domain.parts import DEFAULT_RULES, MoveKind, PartsRules, RequestStatus
from aftersales.domain.results import ShippedBy

USER = settings.AUTH_USER_MODEL

MOVE_LABELS = {
    MoveKind.RECEIPT: _("Receipt"),
    MoveKind.ISSUE: _("Issue"),
    MoveKind.RETURN: _("Return to stock"),
    MoveKind.TRANSFER_OUT: _("Transfer out"),
    MoveKind.TRANSFER_IN: _("Transfer in"),
    MoveKind.ADJUST: _("Count adjustment"),
    MoveKind.SCRAP: _("Scrap"),
}
REQUEST_LABELS = {
    RequestStatus.REQUESTED: _("Requested"),
    RequestStatus.APPROVED: _("Approved"),
    RequestStatus.SHIPPED: _("Shipped"),
    RequestStatus.RECEIVED: _("Received at outlet"),
    RequestStatus.ISSUED: _("Issued"),
    RequestStatus.FITTED: _("Fitted"),
    RequestStatus.CANCELLED: _("Cancelled"),
}
SHIPPED_BY_LABELS = {
    ShippedBy.MANUFACTURER: _("Manufacturer division"),
    ShippedBy.OUTLET: _("Outlet"),
}


class PartsPolicy(models.Model):
    """The editable numbers of the parts rules (one row, seeded with the SPEC's defaults)."""

    return_due_days = models.PositiveIntegerField(_("old part due (days after close)"), default=3)
    ageing_yellow_days = models.PositiveIntegerField(_("yellow after (days)"), default=30)
    ageing_red_days = models.PositiveIntegerField(_("red after (days)"), default=90)
    account_alert = models.DecimalField(
        _("account alert below"), default=Decimal(5000), max_digits=14, decimal_places=2
    )
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    reorder_lookback_days = models.PositiveIntegerField(_("reorder look-back (days)"), default=90)
    reorder_cover_days = models.PositiveIntegerField(_("reorder covers (days of use)"), default=30)
    failing_min_orders = models.PositiveIntegerField(
        _("frequently failing from (orders in look-back)"), default=5
    )

    class Meta:
        verbose_name = _("parts policy")
        verbose_name_plural = _("parts policy")

    def __str__(self) -> str:
        return str(_("Parts policy"))

    def as_rules(self) -> PartsRules:
        return PartsRules(
            return_due_days=self.return_due_days,
            ageing_yellow_days=self.ageing_yellow_days,
            ageing_red_days=self.ageing_red_days,
            account_alert=self.account_alert,
            currency=self.currency,
            reorder_lookback_days=self.reorder_lookback_days,
            reorder_cover_days=self.reorder_cover_days,
            failing_min_orders=self.failing_min_orders,
        )


def _load_rules() -> PartsRules:
    row = PartsPolicy.objects.order_by("pk").first()
    return row.as_rules() if row else DEFAULT_RULES


_rules = ProcessCache(_load_rules, models=("parts.PartsPolicy",))


def current_rules() -> PartsRules:
    """The parts numbers (cached per process like every policy: core.refcache)."""
    return _rules.get()


class Part(models.Model):
    """P-1 part master."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    model = models.CharField(_("model"), max_length=80, blank=True)
    spec = models.CharField(_("specification"), max_length=300, blank=True)
    fits_models = models.JSONField(_("fits models"), default=list, blank=True)
    substitutes = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="substituted_for"
    )
    use = models.CharField(_("use"), max_length=300, blank=True)
    unit_cost = models.DecimalField(
        _("unit cost"), default=Decimal(0), max_digits=14, decimal_places=2
    )
    list_price = models.DecimalField(
        _("price-list price"), default=Decimal(0), max_digits=14, decimal_places=2
    )
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    barcode = models.CharField(_("barcode / QR value"), max_length=64, blank=True, db_index=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("part")
        verbose_name_plural = _("parts")
        constraints = [
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="part_cost_nonneg"),
            models.CheckConstraint(condition=Q(list_price__gte=0), name="part_price_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Warehouse(models.Model):
    """An outlet's store room, or a technician's van (P-2)."""

    KIND_CHOICES = [("outlet", _("Outlet warehouse")), ("van", _("Technician van"))]
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    outlet = models.ForeignKey(
        "accounts.Outlet", on_delete=models.PROTECT, related_name="warehouses"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=KIND_CHOICES, default="outlet")
    technician = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="vans"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="outlet", technician__isnull=True)
                | Q(kind="van", technician__isnull=False),
                name="warehouse_van_has_technician",
            )
        ]

    def __str__(self) -> str:
        return self.code


class Bin(models.Model):
    """P-2 bin location. P-10: bins of the separate area hold unneeded items and never issue."""

    AREA_CHOICES = [("stock", _("Stock")), ("separate", _("Separate area"))]
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="bins")
    zone = models.CharField(_("zone"), max_length=10)
    shelf = models.CharField(_("shelf"), max_length=10)
    level = models.CharField(_("level"), max_length=10)
    position = models.CharField(_("position"), max_length=10)
    area = models.CharField(_("area"), max_length=10, choices=AREA_CHOICES, default="stock")

    class Meta:
        ordering = ["warehouse", "zone", "shelf", "level", "position"]
        verbose_name = _("bin")
        verbose_name_plural = _("bins")
        constraints = [
            models.UniqueConstraint(
                fields=["warehouse", "zone", "shelf", "level", "position"], name="bin_unique"
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"{self.zone}-{self.shelf}-{self.level}-{self.position}"


class StockDoc(models.Model):
    """One document (receipt, issue slip, transfer, return, scrap, adjustment) grouping ledger
    rows; the issue slip prints it."""

    kind = models.CharField(_("kind"), max_length=20)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="docs")
    at = models.DateTimeField()
    actor = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="stock_docs"
    )
    issued_to = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("stock document")
        verbose_name_plural = _("stock documents")

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """Shown and looked up as e.g. D0000042 (no counter row to serialise writers on)."""
        return f"D{self.pk:07d}"


def doc_pk(number: str) -> int | None:
    n = number.strip().upper().removeprefix("D")
    return int(n) if n.isdigit() and len(n) < 15 else None


class StockBalance(models.Model):
    """On hand per (part, bin), updated in the ledger's transaction under a row lock."""

    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="balances")
    bin = models.ForeignKey(Bin, on_delete=models.PROTECT, related_name="balances")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="balances")
    qty = models.IntegerField(default=0)
    # P-5: the last issue, or (never issued) when the stock now lying here came in.
    aged_from = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("stock balance")
        verbose_name_plural = _("stock balances")
        constraints = [
            models.UniqueConstraint(fields=["part", "bin"], name="balance_part_bin"),
            models.CheckConstraint(condition=Q(qty__gte=0), name="balance_never_negative"),
        ]
        indexes = [
            models.Index(fields=["warehouse", "part"], name="balance_wh_part"),
            models.Index(fields=["aged_from"], name="balance_ageing", condition=Q(qty__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.part_id}@{self.bin_id}: {self.qty}"


class StockLot(models.Model):
    """A receipt lot (P-3): issues take the oldest first."""

    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="lots")
    bin = models.ForeignKey(Bin, on_delete=models.PROTECT, related_name="lots")
    received_at = models.DateTimeField()
    qty_in = models.PositiveIntegerField()
    qty_left = models.IntegerField()
    unit_cost = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("stock lot")
        verbose_name_plural = _("stock lots")
        constraints = [
            models.CheckConstraint(condition=Q(qty_left__gte=0), name="lot_never_negative"),
            models.CheckConstraint(
                condition=Q(qty_left__lte=models.F("qty_in")), name="lot_left_le_in"
            ),
        ]
        indexes = [
            models.Index(
                fields=["part", "bin", "received_at"], name="lot_fifo", condition=Q(qty_left__gt=0)
            )
        ]

    def __str__(self) -> str:
        return f"lot {self.pk}: {self.qty_left}/{self.qty_in}"


class StockMove(models.Model):
    """The append-only ledger: one row per movement, never updated or deleted (trigger)."""

    doc = models.ForeignKey(StockDoc, on_delete=models.PROTECT, related_name="moves")
    at = models.DateTimeField()
    kind = models.CharField(max_length=20, choices=[(k.value, v) for k, v in MOVE_LABELS.items()])
    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="moves")
    bin = models.ForeignKey(Bin, on_delete=models.PROTECT, related_name="moves")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="moves")
    lot = models.ForeignKey(
        StockLot, null=True, blank=True, on_delete=models.PROTECT, related_name="moves"
    )
    qty = models.IntegerField()  # signed: in > 0, out < 0
    unit_cost = models.DecimalField(max_digits=14, decimal_places=2)
    actor = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        constraints = [
            models.CheckConstraint(condition=~Q(qty=0), name="move_nonzero"),
        ]
        indexes = [
            models.Index(fields=["part", "warehouse", "at"], name="move_part_wh_at"),
            models.Index(fields=["warehouse", "kind", "at"], name="move_wh_kind_at"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.part_id} {self.qty:+d}"


class PartRequest(models.Model):
    """O-13: a part requested on an order, linked to the order's OrderPart (O-10 transit)."""

    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="part_requests"
    )
    order_part = models.OneToOneField(
        "orders.OrderPart", on_delete=models.PROTECT, related_name="request"
    )
    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="requests")
    quantity = models.PositiveIntegerField()
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="requests")
    status = models.CharField(
        max_length=20,
        choices=[(k.value, v) for k, v in REQUEST_LABELS.items()],
        default=RequestStatus.REQUESTED.value,
    )
    shipped_by = models.CharField(
        max_length=20, choices=[(k.value, v) for k, v in SHIPPED_BY_LABELS.items()]
    )
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="part_requests")
    requested_at = models.DateTimeField()
    late = models.BooleanField(default=False)
    promised_date = models.DateField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    shipped_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    issue_doc = models.ForeignKey(
        StockDoc, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    fitted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("part request")
        verbose_name_plural = _("part requests")
        indexes = [
            models.Index(fields=["warehouse", "status"], name="request_wh_status"),
            models.Index(fields=["received_at"], name="request_received"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.part_id} × {self.quantity}"


class OldPartReturn(models.Model):
    """P-8: the old part of an in-warranty replacement, due back within 3 days of close."""

    request = models.OneToOneField(
        PartRequest, on_delete=models.PROTECT, related_name="old_part_return"
    )
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+")
    outlet = models.ForeignKey("accounts.Outlet", on_delete=models.PROTECT, related_name="+")
    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    technician = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="old_part_returns"
    )
    value = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    due_at = models.DateTimeField()
    returned_at = models.DateTimeField(null=True, blank=True)
    received_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("old-part return")
        verbose_name_plural = _("old-part returns")
        indexes = [
            models.Index(
                fields=["due_at"], name="oldpart_open_due", condition=Q(returned_at__isnull=True)
            )
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.part_id} due {self.due_at:%Y-%m-%d}"


class StockCount(models.Model):
    """P-4: one open count per warehouse at a time."""

    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="counts")
    status = models.CharField(max_length=10, default="open")
    started_at = models.DateTimeField()
    started_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("stock count")
        verbose_name_plural = _("stock counts")
        constraints = [
            models.UniqueConstraint(
                fields=["warehouse"], condition=Q(status="open"), name="count_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.warehouse_id} {self.started_at:%Y-%m-%d} {self.status}"


class StockCountLine(models.Model):
    count = models.ForeignKey(StockCount, on_delete=models.CASCADE, related_name="lines")
    bin = models.ForeignKey(Bin, on_delete=models.PROTECT, related_name="+")
    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="+")
    book_qty = models.IntegerField()
    counted_qty = models.IntegerField(null=True, blank=True)
    counted_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)
    approved_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    adjustment = models.ForeignKey(
        StockDoc, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["bin", "part"]
        constraints = [
            models.UniqueConstraint(fields=["count", "bin", "part"], name="countline_unique"),
            models.CheckConstraint(
                condition=Q(counted_qty__isnull=True) | Q(counted_qty__gte=0),
                name="countline_nonneg",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.part_id}@{self.bin_id}: {self.book_qty}/{self.counted_qty}"

    @property
    def variance(self) -> int | None:
        return None if self.counted_qty is None else self.counted_qty - self.book_qty


class ReorderRule(models.Model):
    """P-6: per part and warehouse, min/max or reorder point and quantity."""

    part = models.ForeignKey(Part, on_delete=models.CASCADE, related_name="reorder_rules")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="+")
    min_qty = models.PositiveIntegerField(null=True, blank=True)
    max_qty = models.PositiveIntegerField(null=True, blank=True)
    reorder_point = models.PositiveIntegerField(null=True, blank=True)
    reorder_qty = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("reorder rule")
        verbose_name_plural = _("reorder rules")
        constraints = [
            models.UniqueConstraint(fields=["part", "warehouse"], name="reorder_part_wh"),
            models.CheckConstraint(
                condition=Q(min_qty__isnull=True)
                | Q(max_qty__isnull=True)
                | Q(max_qty__gte=models.F("min_qty")),
                name="reorder_max_ge_min",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.part_id}@{self.warehouse_id}"


class AccountEntry(models.Model):
    """P-7: an outlet's parts money; purchases debit (< 0), returned old parts credit (> 0)."""

    KIND_CHOICES = [
        ("purchase", _("Purchase")),
        ("old_part", _("Old part returned")),
        ("deposit", _("Deposit")),
    ]
    outlet = models.ForeignKey(
        "accounts.Outlet", on_delete=models.PROTECT, related_name="parts_account"
    )
    at = models.DateTimeField()
    kind = models.CharField(max_length=20, choices=KIND_CHOICES)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    doc = models.ForeignKey(StockDoc, null=True, blank=True, on_delete=models.PROTECT)
    old_part_return = models.ForeignKey(
        OldPartReturn, null=True, blank=True, on_delete=models.PROTECT
    )
    actor = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("parts account entry")
        verbose_name_plural = _("parts account entries")
        indexes = [models.Index(fields=["outlet", "at"], name="account_outlet_at")]

    def __str__(self) -> str:
        return f"{self.outlet_id} {self.kind} {self.amount}"
