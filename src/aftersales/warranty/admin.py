"""The admin edits the tables and numbers (terms, charge policy, price list, currencies, rule
amounts, commission tiers, the policy row); decisions and entries only move through the
services, so they are read-only here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import (
    ChargeRule,
    CommissionTier,
    Complaint,
    Currency,
    ExtendedWarranty,
    KnowledgeNote,
    MonthClose,
    PenaltyEntry,
    PenaltyRule,
    WarrantyPolicy,
    WarrantyTerm,
)


@admin.register(WarrantyPolicy)
class WarrantyPolicyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return not WarrantyPolicy.objects.exists()


@admin.register(WarrantyTerm)
class WarrantyTermAdmin(admin.ModelAdmin):
    list_display = ("category", "model", "months")
    list_editable = ("months",)


@admin.register(Currency)
class CurrencyAdmin(admin.ModelAdmin):
    list_display = ("code", "decimals", "active")


@admin.register(ChargeRule)
class ChargeRuleAdmin(admin.ModelAdmin):
    list_display = (
        "coverage",
        "parts",
        "labour_fee",
        "service_fee",
        "travel_charged",
        "quote_required",
    )


@admin.register(PenaltyRule)
class PenaltyRuleAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "kind",
        "amount",
        "min_amount",
        "max_amount",
        "points",
        "automatic",
        "active",
    )
    list_editable = ("amount", "min_amount", "max_amount", "points", "active")


@admin.register(CommissionTier)
class CommissionTierAdmin(admin.ModelAdmin):
    list_display = ("max_hours", "amount")


@admin.register(KnowledgeNote)
class KnowledgeNoteAdmin(admin.ModelAdmin):
    list_display = ("meeting_date", "category", "problem")


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PenaltyEntry)
class PenaltyEntryAdmin(ReadOnly):
    list_display = ("at", "person", "rule", "amount", "automatic", "evidence")
    list_filter = ("month", "automatic", "kind")


@admin.register(Complaint)
class ComplaintAdmin(ReadOnly):
    list_display = ("received_at", "channel", "category", "person", "status", "at_fault")


@admin.register(ExtendedWarranty)
class ExtendedWarrantyAdmin(ReadOnly):
    list_display = ("product", "until", "reason")


@admin.register(MonthClose)
class MonthCloseAdmin(ReadOnly):
    list_display = ("month", "closed_at", "closed_by", "cards")
