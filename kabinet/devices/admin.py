from django.contrib import admin

from kabinet.core.backoffice import BackOfficeAdmin
from kabinet.core.formats import Noun

from .models import Device, DeviceInput


class DeviceInputInline(admin.TabularInline):
    model = DeviceInput
    extra = 0
    can_delete = False
    fields = ("channel", "meter", "auto_submit", "value", "value_at", "submitted_period", "refusal")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Device)
class DeviceAdmin(BackOfficeAdmin):
    """Read-only: residents pair and set their devices themselves; staff look when asked for help."""

    noun = Noun("устройство", "устройства", "устройств", accusative="устройство")
    list_display = ("name", "resident", "last_seen_at", "battery", "firmware")
    list_select_related = ("resident",)
    search_fields = ("name", "resident__full_name", "resident__accounts__number")
    readonly_fields = (
        "resident", "kind", "name", "token_hint", "created_at", "last_seen_at", "posts",
        "battery", "voltage", "voltage_low", "rssi", "firmware", "reported",
    )  # fmt: skip
    fields = readonly_fields
    inlines = [DeviceInputInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
