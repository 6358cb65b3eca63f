from django.contrib import admin

from kabinet.core import formats
from kabinet.core.backoffice import BackOfficeAdmin
from kabinet.core.formats import Noun

from .models import OnlinePayment
from .providers import provider_title


class ProviderFilter(admin.SimpleListFilter):
    title = "платёжный сервис"
    parameter_name = "provider"

    def lookups(self, request, model_admin):
        names = OnlinePayment.objects.values_list("provider", flat=True).distinct()
        return [(name, provider_title(name)) for name in sorted(names)]

    def queryset(self, request, queryset):
        return queryset.filter(provider=self.value()) if self.value() else queryset


@admin.register(OnlinePayment)
class OnlinePaymentAdmin(BackOfficeAdmin):
    """Read-only: a payment changes only through the provider's confirmation."""

    noun = Noun("онлайн-платёж", "онлайн-платежа", "онлайн-платежей", accusative="онлайн-платёж")

    list_display = (
        "created_at",
        "account",
        "amount_shown",
        "status",
        "provider_shown",
        "provider_payment_id",
        "paid_at",
    )
    list_filter = ("status", ProviderFilter)
    search_fields = ("account__number", "provider_payment_id", "resident__full_name")
    date_hierarchy = "created_at"
    list_select_related = ("account",)
    fields = (
        "account",
        "resident",
        "amount_shown",
        "status",
        "provider_shown",
        "provider_payment_id",
        "billing_payment",
        "created_at",
        "paid_at",
        "updated_at",
    )
    readonly_fields = fields

    @admin.display(description="сумма", ordering="amount")
    def amount_shown(self, obj: OnlinePayment) -> str:
        return formats.money(obj.amount)

    @admin.display(description="платёжный сервис", ordering="provider")
    def provider_shown(self, obj: OnlinePayment) -> str:
        return provider_title(obj.provider)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
