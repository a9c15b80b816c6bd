from __future__ import annotations

from django.contrib import admin

from . import models


@admin.register(models.PartsPolicy)
class PartsPolicyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: object) -> bool:
        return not models.PartsPolicy.objects.exists()

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(models.Part)
class PartAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "model", "unit_cost", "list_price", "currency", "active")
    search_fields = ("code", "name", "model", "barcode")
    filter_horizontal = ("substitutes",)


@admin.register(models.Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "outlet", "kind", "technician")
    list_filter = ("kind", "outlet")


@admin.register(models.Bin)
class BinAdmin(admin.ModelAdmin):
    list_display = ("warehouse", "zone", "shelf", "level", "position", "area")
    list_filter = ("warehouse", "area")


@admin.register(models.ReorderRule)
class ReorderRuleAdmin(admin.ModelAdmin):
    list_display = ("part", "warehouse", "min_qty", "max_qty", "reorder_point", "reorder_qty")


class ReadOnly(admin.ModelAdmin):
    """Ledger-side rows are written by the services only; the admin shows them."""

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(models.StockMove)
class StockMoveAdmin(ReadOnly):
    list_display = ("at", "kind", "part", "warehouse", "bin", "qty", "unit_cost", "actor")
    list_filter = ("kind",)


@admin.register(models.StockBalance)
class StockBalanceAdmin(ReadOnly):
    list_display = ("part", "warehouse", "bin", "qty", "aged_from")


@admin.register(models.PartRequest)
class PartRequestAdmin(ReadOnly):
    list_display = ("pk", "order", "part", "quantity", "status", "late", "requested_at")
    list_filter = ("status", "late")


@admin.register(models.OldPartReturn)
class OldPartReturnAdmin(ReadOnly):
    list_display = ("order", "part", "technician", "due_at", "returned_at")


@admin.register(models.AccountEntry)
class AccountEntryAdmin(ReadOnly):
    list_display = ("outlet", "at", "kind", "amount", "currency")
