from django.contrib import admin

from .forms import AccountForm
from .models import Account


class HasPhoneFilter(admin.SimpleListFilter):
    title = "телефон"
    parameter_name = "has_phone"

    def lookups(self, request, model_admin):
        return [("yes", "указан"), ("no", "не указан")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(phone="")
        if self.value() == "no":
            return queryset.filter(phone="")
        return queryset


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    form = AccountForm
    list_display = ("number", "holder_name", "address", "area", "phone")
    search_fields = ("number", "holder_name", "address", "phone")
    list_filter = (HasPhoneFilter,)
    ordering = ("number",)
    readonly_fields = ("created_at", "updated_at")
    fields = ("number", "holder_name", "address", "area", "phone", "email", "created_at", "updated_at")
