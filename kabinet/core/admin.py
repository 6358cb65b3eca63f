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
        (None, {"fields": ["name", "short_name"]}),
        ("Контакты на сайте", {"fields": ["address", "phone", "email", "working_hours"]}),
        (
            "Аварийно-диспетчерская служба",
            {
                "fields": ["emergency_phone", "emergency_hours"],
                "description": "Телефон стоит в шапке каждой страницы сайта и личного кабинета.",
            },
        ),
        (
            "Реквизиты организации",
            {
                "fields": ["legal_address", "inn", "kpp", "ogrn"],
                "description": "Название, юридический адрес, ИНН и ОГРН называют оператора персональных "
                "данных в согласии на их обработку (152-ФЗ, ст. 9 ч. 4) и стоят на странице «Контакты»; "
                "ИНН и КПП печатаются в квитанции.",
            },
        ),
        (
            "Банковские реквизиты для оплаты",
            {
                "fields": ["bank_name", "bik", "settlement_account", "correspondent_account"],
                "description": "Печатаются в квитанции и в QR-коде для оплаты; счета проверяются по БИК.",
            },
        ),
        ("Регистрация жителей", {"fields": ["auto_approve_registrations"]}),
        ("Обращения жителей", {"fields": ["appeal_reopen_days"]}),
    ]

    def has_add_permission(self, request) -> bool:
        return not Company.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
