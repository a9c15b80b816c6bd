"""The admin edits technician profiles, service durations and the dispatch settings."""

from django.contrib import admin

from .models import DispatchSettings, PlanLine, PlanProposal, ServiceDuration, TechnicianProfile


@admin.register(TechnicianProfile)
class TechnicianProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "max_jobs_per_day", "home_latitude", "home_longitude", "active")
    search_fields = ("user__username", "user__display_name")


@admin.register(ServiceDuration)
class ServiceDurationAdmin(admin.ModelAdmin):
    list_display = ("category", "service_type", "minutes")
    list_editable = ("minutes",)


@admin.register(DispatchSettings)
class DispatchSettingsAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return not DispatchSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class LineInline(admin.TabularInline):
    model = PlanLine
    extra = 0
    can_delete = False
    readonly_fields = ("order", "technician", "seq", "start", "end", "state", "message")
    fields = readonly_fields


@admin.register(PlanProposal)
class PlanProposalAdmin(admin.ModelAdmin):
    list_display = ("pk", "day", "outlet", "kind", "state", "valid", "created_at")
    list_filter = ("state", "outlet")
    readonly_fields = ("figures", "unplanned", "violations", "must_call", "notes")
    inlines = [LineInline]
