"""The care policy (every number of C-1 … C-8) is edited here; tasks and the contact log
are read-only records written by the services."""

from django.contrib import admin

from .models import CarePolicyRow, Contact, CustomerRequest, Event, Substitution, Task


@admin.register(CarePolicyRow)
class CarePolicyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return not CarePolicyRow.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("key", "kind", "customer", "assignee", "due_on", "deadline", "open")
    list_filter = ("kind", "open")
    search_fields = ("key",)
    raw_id_fields = ("customer", "assignee", "order", "product", "event", "request", "done_by")
    readonly_fields = ("key", "kind", "created_at", "done_at", "done_by")


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("at", "customer", "channel", "purpose", "outcome", "actor")
    list_filter = ("channel", "purpose", "outcome")
    raw_id_fields = ("customer", "actor", "order", "task", "event")

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CustomerRequest)
class CustomerRequestAdmin(admin.ModelAdmin):
    list_display = ("customer", "opened_at", "report_due_at", "reported_at", "solved_at", "told_at")
    raw_id_fields = ("customer", "order", "opened_by")


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "starts_on", "place")


@admin.register(Substitution)
class SubstitutionAdmin(admin.ModelAdmin):
    list_display = ("tracker", "substitute", "start", "end", "reason")

    def has_add_permission(self, request):
        return False  # through the service: overlapping periods are refused there
