from django.contrib import admin
from django.utils.html import format_html_join

from kabinet.core.backoffice import BackOfficeAdmin
from kabinet.core.formats import Noun

from .models import AuditEntry

# What the services write into `details`, in the words of the back-office.
DETAIL_LABELS = {
    "account": "лицевой счёт",
    "accounts": "лицевые счета",
    "automatically": "одобрена автоматически",
    "reason": "причина",
    "readings": "показаний",
    "format": "формат файла",
    "file": "файл",
    "by": "чем",
    "queued": "поставлено в очередь",
    "held_by_cap": "задержано дневным лимитом SMS",
    "recovery_codes_left": "осталось резервных кодов",
    "cabinet_found": "кабинет найден",
    "old_phone": "прежний телефон",
    "new_phone": "новый телефон",
    "reminder_channel": "напоминания",
    "limit": "лимит",
}


def _value(value) -> str:
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value)
    return str(value)


@admin.register(AuditEntry)
class AuditEntryAdmin(BackOfficeAdmin):
    """Read-only: the log is evidence, nobody edits or deletes it from the back-office.

    Whoever may view the log sees all of it; any other member of staff sees their own actions.
    """

    noun = Noun("запись журнала", "записи журнала", "записей журнала", accusative="запись журнала")

    list_display = ["at", "action", "actor_name", "is_staff", "target", "ip_address"]
    list_filter = ["action", "is_staff", ("at", admin.DateFieldListFilter)]
    search_fields = ["target", "actor_name", "ip_address"]
    date_hierarchy = "at"
    list_per_page = 100
    fields = ["at", "action", "actor", "actor_name", "is_staff", "ip_address", "target", "details_shown"]
    readonly_fields = fields

    def sees_everyone(self, request) -> bool:
        return super().has_view_permission(request)

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None) -> bool:
        if self.sees_everyone(request):
            return True
        own = obj is None or obj.actor_id == request.user.pk
        return request.user.is_active and request.user.is_staff and own

    def get_queryset(self, request):
        entries = super().get_queryset(request)
        return entries if self.sees_everyone(request) else entries.filter(actor=request.user)

    def changelist_view(self, request, extra_context=None):
        if not self.sees_everyone(request):
            extra_context = {"title": "Мои действия в журнале", **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="подробности")
    def details_shown(self, obj: AuditEntry) -> str:
        if not obj.details:
            return "—"
        return format_html_join(
            "", "<div>{}: {}</div>", ((DETAIL_LABELS.get(k, k), _value(v)) for k, v in obj.details.items())
        )
