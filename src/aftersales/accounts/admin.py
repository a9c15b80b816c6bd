from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from aftersales.domain.codes import Role

from .models import ApiToken, Outlet, User


class UserForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(
        choices=[(r.value, r.value) for r in Role],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("roles"),
    )

    class Meta:
        model = User
        fields = ("username", "display_name", "outlet", "roles", "phone")


@admin.register(User)
class AftersalesUserAdmin(UserAdmin):
    form = UserForm
    list_display = ("username", "display_name", "outlet", "roles", "is_active")
    list_filter = ("outlet", "is_active")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (_("Aftersales"), {"fields": ("display_name", "outlet", "roles", "phone")}),
    )


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "region", "market_tier")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked")
    readonly_fields = ("digest", "prefix", "created_at", "last_used_at")
