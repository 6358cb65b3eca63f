from django.apps import apps
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

from .backoffice import BackOfficeAdmin
from .formats import Noun
from .models import Company, User

admin.site.site_header = "Личный кабинет жителя — администрирование"
admin.site.site_title = "Кабинет: администрирование"
admin.site.index_title = "Рабочее место сотрудника"
# The start page lists every section; a sidebar repeating it on every page took a third of a
# 1280 px screen from the lists operators work in.
admin.site.enable_nav_sidebar = False

admin.site.unregister(Group)

# Django names permissions in English when it creates them («Can view обращение»).
PERMISSION_ACTIONS = {"add": "добавление", "change": "изменение", "delete": "удаление", "view": "просмотр"}


def permission_label(permission: Permission) -> str:
    """«Обращения — обращения: просмотр»: the section, the list, what the permission allows."""
    model = permission.content_type.model_class()
    if model is None:
        return permission.name
    action = permission.codename.split("_", 1)[0]
    what = (
        PERMISSION_ACTIONS.get(action)
        if permission.codename == f"{action}_{model._meta.model_name}"
        else None
    )
    section = apps.get_app_config(model._meta.app_label).verbose_name
    return f"{section} — {model._meta.verbose_name_plural}: {what or permission.name}"


class RussianPermissions:
    """Permission lists of a group or a user, each permission named in Russian."""

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name in ("permissions", "user_permissions"):
            # Only what the back-office shows: a permission on a model without a screen grants
            # nothing, and Django names those in English.
            screens = [ContentType.objects.get_for_model(model) for model in admin.site._registry]
            field.queryset = field.queryset.filter(content_type__in=screens).select_related("content_type")
            field.label_from_instance = permission_label
        return field


@admin.register(Group)
class KabinetGroupAdmin(BackOfficeAdmin, RussianPermissions, GroupAdmin):
    noun = Noun("группа", "группы", "групп", accusative="группу")


@admin.register(User)
class KabinetUserAdmin(BackOfficeAdmin, RussianPermissions, UserAdmin):
    noun = Noun("пользователь", "пользователя", "пользователей", accusative="пользователя")
    list_display = ("username", "email", "first_name", "last_name", "is_staff", "is_active", "last_login")


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
