import re

from django.contrib import admin, messages
from django.utils.html import format_html

from kabinet.core.backoffice import BackOfficeAdmin
from kabinet.core.clientip import client_ip
from kabinet.core.formats import Noun

from . import services
from .gateways import gateway_title
from .models import DeliveryAttempt, OutboxMessage

_CODE = re.compile(r"\d{4,8}")


def visible_text(message: OutboxMessage) -> str:
    """Staff see what went out, but not one-time codes: a code must reach only the phone's owner."""
    return _CODE.sub("••••••", message.body) if message.is_sensitive else message.body


class GatewayFilter(admin.SimpleListFilter):
    title = "шлюз"
    parameter_name = "gateway"

    def lookups(self, request, model_admin):
        names = OutboxMessage.objects.exclude(gateway="").values_list("gateway", flat=True).distinct()
        return [(name, gateway_title(name)) for name in sorted(names)]

    def queryset(self, request, queryset):
        return queryset.filter(gateway=self.value()) if self.value() else queryset


class DeliveryAttemptInline(admin.TabularInline):
    """Every try the worker made: when, through which gateway, what the gateway answered."""

    model = DeliveryAttempt
    fields = ("number", "started_at", "finished_at", "gateway_shown", "outcome", "error", "worker")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="шлюз")
    def gateway_shown(self, obj: DeliveryAttempt) -> str:
        return gateway_title(obj.gateway)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(BackOfficeAdmin):
    noun = Noun(
        "исходящее сообщение", "исходящих сообщения", "исходящих сообщений", accusative="исходящее сообщение"
    )
    list_display = ("created_at", "channel", "recipient", "summary", "status", "attempts", "sent_at")
    inlines = [DeliveryAttemptInline]
    list_filter = ("channel", "status", GatewayFilter, "created_at")
    search_fields = ("recipient", "subject")
    date_hierarchy = "created_at"
    actions = ["retry", "mark_sent"]
    fields = (
        "channel",
        "recipient",
        "subject",
        "text",
        "status",
        "attempts",
        "last_error",
        "gateway_shown",
        "gateway_message_id",
        "created_at",
        "next_attempt_at",
        "sent_at",
        "delivery_report",
        "delivered_at",
    )
    readonly_fields = fields

    @admin.display(description="текст")
    def summary(self, obj: OutboxMessage) -> str:
        text = obj.subject or visible_text(obj)
        return text if len(text) <= 80 else text[:79] + "…"

    @admin.display(description="текст")
    def text(self, obj: OutboxMessage) -> str:
        return visible_text(obj)

    @admin.display(description="шлюз")
    def gateway_shown(self, obj: OutboxMessage) -> str:
        return gateway_title(obj.gateway) if obj.gateway else "—"

    @admin.action(description="Отправить ещё раз (не отправленные и не дошедшие)", permissions=["resend"])
    def retry(self, request, queryset) -> None:
        result = services.resend(messages=queryset, staff=request.user, ip=client_ip(request))
        text = f"Поставлено в очередь на отправку: {result.queued}."
        if result.skipped:
            text += f" Пропущено уже отправленных или ещё не отправленных: {result.skipped}."
        level = messages.SUCCESS
        if result.held_by_cap:
            level = messages.WARNING
            text += (
                f" Не отправлено из-за дневного лимита SMS (KABINET_SMS_DAILY_CAP): {result.held_by_cap}. "
                "Их можно отправить завтра."
            )
        self.message_user(request, text, level)

    @admin.action(description="Считать отправленными (найдены в журнале шлюза)", permissions=["resend"])
    def mark_sent(self, request, queryset) -> None:
        marked = services.mark_sent(messages=queryset, staff=request.user, ip=client_ip(request))
        skipped = queryset.count() - marked
        text = f"Отмечено отправленными: {marked}."
        if skipped:
            text += f" Пропущено (не «возможно отправлено»): {skipped}."
        self.message_user(request, text, messages.SUCCESS if marked else messages.WARNING)

    def changelist_view(self, request, extra_context=None):
        """Possibly-sent messages wait for a person: say so on every visit to the list."""
        waiting = OutboxMessage.objects.filter(status=OutboxMessage.Status.UNCERTAIN).count()
        if waiting and request.method == "GET":
            link = f"?status__exact={OutboxMessage.Status.UNCERTAIN}"
            self.message_user(
                request,
                format_html(
                    "Возможно отправлено, ждут решения: {}. Обработчик остановился, когда они были у "
                    "шлюза. Найдите их в журнале шлюза (у SMS.ru — «Отправленные» в личном кабинете): "
                    "нашлись — «Считать отправленными», нет — «Отправить ещё раз». "
                    '<a href="{}">Показать их</a>',
                    waiting,
                    link,
                ),
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)

    def has_resend_permission(self, request) -> bool:
        return request.user.has_perm("messaging.resend_outboxmessage")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
