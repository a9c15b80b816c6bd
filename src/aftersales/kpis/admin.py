"""The admin edits the targets and the app's numbers; archived reports are read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import KpiPolicy, KpiTarget, Report


@admin.register(KpiPolicy)
class KpiPolicyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return not KpiPolicy.objects.exists()


@admin.register(KpiTarget)
class KpiTargetAdmin(admin.ModelAdmin):
    list_display = ("kpi", "comparison", "value", "amber")
    list_editable = ("comparison", "value", "amber")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("kind", "period", "scope", "version", "created_at", "created_by")
    exclude = ("pdf", "xlsx")
    readonly_fields = ("kind", "period", "outlet", "scope", "version", "figures", "summary", "sha256", "created_at", "created_by")  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
