from django.contrib import admin

from .models import NetworkPolicy, ProductCategory, Source


@admin.register(NetworkPolicy)
class NetworkPolicyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):  # one row only
        return not NetworkPolicy.objects.exists()


@admin.register(ProductCategory, Source)
class CodeTableAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "active")
    list_editable = ("active",)
