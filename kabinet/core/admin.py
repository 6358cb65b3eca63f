from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group

from .backoffice import BackOfficeAdmin, RussianPermissions
from .formats import Noun
from .models import Company

admin.site.unregister(Group)


@admin.register(Group)
class KabinetGroupAdmin(BackOfficeAdmin, RussianPermissions, GroupAdmin):
    noun = Noun("группа", "группы", "групп", accusative="группу")


@admin.register(Company)
class CompanyAdmin(BackOfficeAdmin):
    noun = Noun(
        "управляющая компания",
        "управляющие компании",
        "управляющих компаний",
        accusative="управляющую компанию",
    )
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
