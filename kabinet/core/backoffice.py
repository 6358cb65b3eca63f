"""The base of every back-office screen: titles, buttons and counters in correct Russian.

Django builds its admin sentences from a model's verbose_name in the nominative: «Выберите
оплата для просмотра», «Добавить страница», «7 услуги». Each screen here names its model as a
`Noun` with the forms Russian needs, and this base puts them in:

    list        «Оплаты», with the counter «71 оплата» / «2 оплаты» / «0 оплат»
    add         «Добавить оплату» (title and the button on the list)
    change      «Изменить оплату», or «Просмотреть оплату» when the user may only look
    delete      «Вы уверены, что хотите удалить оплату …?»

Django's remaining sentences that carry a model's name are rephrased in kabinet/core/locale.
"""

from datetime import date, timedelta

from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db.models import DecimalField, Model
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext

from . import formats
from .formats import Noun


class BackOfficeAdmin(admin.ModelAdmin):
    """A ModelAdmin whose titles and counters decline its model's name (`noun`)."""

    noun: Noun

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if not isinstance(getattr(cls, "noun", None), Noun):
            raise TypeError(f"{cls.__name__} must name its model: noun = Noun(...)")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # Operators write «54,30», as every page shows numbers: a decimal field takes the comma
        # (a text box, not the browser's number box, which refuses it) and shows its value so.
        if isinstance(db_field, DecimalField):
            kwargs.setdefault("localize", True)
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(db_field, DecimalField) and field is not None:
            field.widget.attrs.setdefault("inputmode", "decimal")  # a phone's keyboard with the comma
        return field

    def changelist_view(self, request, extra_context=None):
        context = {
            "title": capfirst(self.model._meta.verbose_name_plural),
            "noun": self.noun,
            **(extra_context or {}),
        }
        return super().changelist_view(request, context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # Django's own title is replaced; a title a screen chose for itself stays.
        name = self.model._meta.verbose_name
        defaults = {gettext("Add %s") % name, gettext("Change %s") % name, gettext("View %s") % name}
        if context.get("title") in defaults:
            if add:
                verb = "Добавить"
            elif self.has_change_permission(request, obj):
                verb = "Изменить"
            else:
                verb = "Просмотреть"
            context["title"] = f"{verb} {self.noun.accusative}"
        return super().render_change_form(request, context, add, change, form_url, obj)

    def delete_view(self, request, object_id, extra_context=None):
        context = {"object_name": self.noun.accusative, **(extra_context or {})}
        return super().delete_view(request, object_id, context)

    def get_deleted_objects(self, objs, request):
        # Rows of Django's hidden link tables («Group_permissions object (9)») go with the object
        # anyway; listing them tells the operator nothing.
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        links = [m for m in apps.get_models(include_auto_created=True) if m._meta.auto_created]
        hidden = {m._meta.verbose_name_plural for m in links}
        prefixes = tuple(f"{capfirst(m._meta.verbose_name)}:" for m in links)
        model_count = {name: n for name, n in model_count.items() if name not in hidden}
        return _without(to_delete, prefixes), model_count, perms_needed, protected


def _without(items: list, prefixes: tuple[str, ...]) -> list:
    kept = []
    for item in items:
        if isinstance(item, list):
            kept.append(_without(item, prefixes))
        elif not str(item).startswith(prefixes):
            kept.append(item)
    return [item for item in kept if item != []]


class MonthFilter(admin.SimpleListFilter):
    """A billing period by its month, «ноябрь 2026», over the last two years.

    The months are counted back from today, not read from the table: listing the periods a
    table of millions of accruals holds would cost every page of the list a full scan.
    """

    title = "период"
    parameter_name = "period"
    months = 24

    def lookups(self, request, model_admin):
        month = timezone.localdate().replace(day=1)
        choices = []
        for _ in range(self.months):
            choices.append((month.isoformat(), formats.month(month)))
            month = (month - timedelta(days=1)).replace(day=1)
        return choices

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        try:
            period = date.fromisoformat(self.value())
        except ValueError:
            return queryset.none()
        return queryset.filter(period=period)


# Django names permissions in English when it creates them («Can view обращение»).
PERMISSION_ACTIONS = {"add": "добавление", "change": "изменение", "delete": "удаление", "view": "просмотр"}


def permission_label(permission: Permission) -> str:
    """«обращения: просмотр»: the list, what the permission allows (short enough for the picker)."""
    model = permission.content_type.model_class()
    if model is None:
        return permission.name
    action = permission.codename.split("_", 1)[0]
    standard = permission.codename == f"{action}_{model._meta.model_name}"
    # A model's own permission is named as a sentence («Может отправлять…»); after the colon it
    # continues one: «исходящие SMS и письма: может отправлять сообщения ещё раз».
    what = PERMISSION_ACTIONS.get(action) if standard else None
    return f"{model._meta.verbose_name_plural}: {what or permission.name[:1].lower() + permission.name[1:]}"


class RussianPermissions:
    """Permission lists of a group or a user (Group and User admins), each named in Russian."""

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name in ("permissions", "user_permissions"):
            # Only what the back-office shows: a permission on a model without a screen grants
            # nothing, and Django names those in English.
            screens = [ContentType.objects.get_for_model(model) for model in admin.site._registry]
            field.queryset = field.queryset.filter(content_type__in=screens).select_related("content_type")
            field.label_from_instance = permission_label
        return field


def noun_of(model: type[Model]) -> Noun | None:
    """The noun the back-office uses for a registered model, if it has one."""
    model_admin = admin.site._registry.get(model)
    return getattr(model_admin, "noun", None)
