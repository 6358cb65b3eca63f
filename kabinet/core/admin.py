from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import Company, User

admin.site.site_header = "Личный кабинет жителя — администрирование"
admin.site.site_title = "Кабинет: администрирование"
admin.site.index_title = "Рабочее место сотрудника"


@admin.register(User)
class KabinetUserAdmin(UserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "is_staff", "is_active", "last_login")


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
