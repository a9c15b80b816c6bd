"""Customer files in the admin: the care fields are editable; queue flags are read-only."""

from django.contrib import admin

from .models import Customer, CustomerPhone, CustomerProduct


class PhoneInline(admin.TabularInline):
    model = CustomerPhone
    extra = 0


class ProductInline(admin.StackedInline):
    model = CustomerProduct
    extra = 0
    readonly_fields = ("maintenance_reminded", "loss_flagged")


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("name", "region", "care_class", "tracker", "next_contact_due", "erased_at")
    list_filter = ("care_class",)
    search_fields = ("name",)
    raw_id_fields = ("tracker",)
    readonly_fields = ("contact_task_open", "erased_at", "version")
    inlines = [PhoneInline, ProductInline]
