from django.contrib import admin

from .models import Company


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    fieldsets = [
        (None, {"fields": ["name", "short_name", "address", "phone", "email", "working_hours"]}),
        (
            "Реквизиты для оплаты",
            {
                "fields": ["inn", "kpp", "bank_name", "bik", "settlement_account", "correspondent_account"],
                "description": "Печатаются в квитанции и в QR-коде для оплаты; счета проверяются по БИК.",
            },
        ),
        ("Регистрация жителей", {"fields": ["auto_approve_registrations"]}),
    ]

    def has_add_permission(self, request) -> bool:
        return not Company.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
