"""The admin edits reference data; order state only moves through the services (O-8 gate)."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import error_message
from aftersales.domain.errors import DomainError

from .models import Order, OrderEvent, Reconciliation, RepeatCall, SlaRule
from .services import order_act


@admin.register(SlaRule)
class SlaRuleAdmin(admin.ModelAdmin):
    list_display = (
        "rank",
        "label",
        "hours",
        "categories",
        "tiers",
        "service_types",
        "service_modes",
        "sources",
    )
    list_editable = ("hours",)


class EventInline(admin.TabularInline):
    model = OrderEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "actor", "action", "from_status", "to_status", "reason", "data")

    def has_add_permission(self, request, obj=None):
        return False


@admin.action(description=_("Close selected orders (checks the closing standard)"))
def close_orders(modeladmin, request, queryset):
    done = 0
    for order in queryset:
        try:
            order_act(actor=request.user, number=order.number, action="close", now=timezone.now())
            done += 1
        except DomainError as e:
            modeladmin.message_user(request, f"{order.number}: {error_message(e)}", messages.ERROR)
    if done:
        modeladmin.message_user(request, _("%(n)d orders closed.") % {"n": done})


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = (
        "number",
        "status",
        "outlet",
        "assignee",
        "category",
        "created_at",
        "sla_due_at",
    )
    list_filter = ("status", "outlet", "category")
    search_fields = ("number", "source_ref", "contact_name")
    actions = [close_orders]
    inlines = [EventInline]
    list_select_related = ("outlet", "assignee")
    # Lifecycle fields are read-only here: status changes go through order_act.
    readonly_fields = [
        f.name for f in Order._meta.fields if f.name not in ("fault", "remarks", "priority")
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RepeatCall)
class RepeatCallAdmin(admin.ModelAdmin):
    list_display = ("order", "at", "cause", "counts", "responsible")
    readonly_fields = ("order", "at", "logged_by", "note", "cause", "counts", "responsible")


@admin.register(Reconciliation)
class ReconciliationAdmin(admin.ModelAdmin):
    list_display = ("source", "day", "run_at", "in_file")
    readonly_fields = (
        "source",
        "day",
        "run_at",
        "run_by",
        "file_name",
        "in_file",
        "missing",
        "extra",
        "duplicated",
    )
