from django.contrib import admin

from .models import OnlinePayment


@admin.register(OnlinePayment)
class OnlinePaymentAdmin(admin.ModelAdmin):
    """Read-only: a payment changes only through the provider's confirmation."""

    list_display = ("created_at", "account", "amount", "status", "provider", "provider_payment_id", "paid_at")
    list_filter = ("status", "provider")
    search_fields = ("account__number", "provider_payment_id", "resident__full_name")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in OnlinePayment._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
