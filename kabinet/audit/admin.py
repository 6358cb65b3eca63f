from django.contrib import admin

from kabinet.core.backoffice import BackOfficeAdmin
from kabinet.core.formats import Noun

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(BackOfficeAdmin):
    """Read-only: the log is evidence, nobody edits or deletes it from the back-office."""

    noun = Noun("запись журнала", "записи журнала", "записей журнала", accusative="запись журнала")

    list_display = ["at", "action", "actor_name", "is_staff", "target", "ip_address"]
    list_filter = ["action", "is_staff", ("at", admin.DateFieldListFilter)]
    search_fields = ["target", "actor_name", "ip_address"]
    date_hierarchy = "at"
    list_per_page = 100
    readonly_fields = ["at", "action", "actor", "actor_name", "is_staff", "ip_address", "target", "details"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
