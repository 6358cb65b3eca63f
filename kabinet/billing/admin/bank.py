"""The back-office screens of the bank's money: «Неразнесённые платежи» (an operator assigns
each), the registries and the agents' transfers received, the agents and the purpose patterns."""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse

from kabinet.core import formats
from kabinet.core.backoffice import BackOfficeAdmin
from kabinet.core.formats import Noun

from .. import services
from ..forms import (
    AssignUnmatchedForm,
)
from ..models import (
    AgentTransfer,
    BankAgent,
    PaymentRegistry,
    PurposePattern,
    UnmatchedPayment,
)


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


@admin.register(UnmatchedPayment)
class UnmatchedPaymentAdmin(BackOfficeAdmin):
    """«Неразнесённые платежи»: money a bank file brought for an account Kabinet does not know.
    The operator opens one and names the account (`services.assign_unmatched_payment`), or, once
    the accounts are loaded, assigns the selected ones whose numbers are now known (the action)."""

    noun = Noun(
        "неразнесённый платёж",
        "неразнесённых платежа",
        "неразнесённых платежей",
        accusative="неразнесённый платёж",
    )
    form = AssignUnmatchedForm
    list_display = (
        "paid_on",
        "amount_shown",
        "account_text",
        "payer",
        "reason",
        "source",
        "status",
        "payment",
    )
    list_filter = ("status", "source")
    search_fields = ("account_text", "payer", "address", "purpose", "external_id", "file_name")
    list_select_related = ("payment__account",)
    date_hierarchy = "paid_on"
    actions = ["assign_known"]
    details = (
        "status",
        "paid_on",
        "amount_shown",
        "account_text",
        "payer",
        "address",
        "purpose",
        "reason",
        "source",
        "file_name",
        "line",
        "external_id",
        "payment",
        "assigned_by",
        "assigned_at",
    )

    def get_fields(self, request, obj=None):
        if obj is not None and obj.status == UnmatchedPayment.Status.WAITING:
            return ("account_number", "period_text", *self.details)
        return self.details

    def get_readonly_fields(self, request, obj=None):
        return self.details

    def has_add_permission(self, request) -> bool:
        return False  # they come from bank files

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # money received is never thrown away: it is assigned

    def has_change_permission(self, request, obj=None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.status == UnmatchedPayment.Status.WAITING)

    def save_model(self, request, obj, form, change) -> None:
        account, period = form.cleaned_data["account_number"], form.cleaned_data["period_text"]
        try:
            services.assign_unmatched_payment(
                unmatched=obj, account=account, period=period, user=request.user, ip=_ip(request)
            )
        except services.AssignRefused as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        self.message_user(
            request,
            f"Платёж {formats.money(obj.amount)} от {formats.date(obj.paid_on)} зачислен на лицевой счёт "
            f"{account.number}; сальдо пересчитано.",
            messages.SUCCESS,
        )

    def response_change(self, request, obj):
        # The message of save_model says what happened; Django's own would only repeat it.
        return HttpResponseRedirect(reverse("admin:billing_unmatchedpayment_changelist"))

    @admin.action(description="Зачислить на лицевые счета, которые теперь известны")
    def assign_known(self, request, queryset) -> None:
        waiting = list(queryset.filter(status=UnmatchedPayment.Status.WAITING))
        assigned = services.assign_known_accounts(unmatched=waiting, user=request.user, ip=_ip(request))
        left = len(waiting) - assigned
        text = f"Зачислено платежей: {assigned}."
        if left:
            text += (
                f" Не зачислено: {left} — их лицевых счетов в Кабинете нет; "
                "откройте платёж и укажите счёт вручную."
            )
        self.message_user(request, text, messages.SUCCESS if assigned else messages.WARNING)

    @admin.display(description="сумма", ordering="amount")
    def amount_shown(self, obj: UnmatchedPayment) -> str:
        return formats.money(obj.amount)


@admin.register(PaymentRegistry)
class PaymentRegistryAdmin(BackOfficeAdmin):
    noun = Noun("реестр платежей", "реестра платежей", "реестров платежей", accusative="реестр платежей")
    list_display = ("imported_at", "file_name", "profile", "rows", "total", "order_number", "order_date")
    search_fields = ("file_name", "order_number")
    list_filter = ("profile",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AgentTransfer)
class AgentTransferAdmin(BackOfficeAdmin):
    noun = Noun(
        "перечисление агента", "перечисления агента", "перечислений агентов", accusative="перечисление агента"
    )
    list_display = ("date", "number", "amount", "payer", "agent", "registry", "statement_file")
    search_fields = ("number", "payer", "purpose", "statement_file")
    list_select_related = ("agent", "registry")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(BankAgent)
class BankAgentAdmin(BackOfficeAdmin):
    noun = Noun("платёжный агент", "платёжных агента", "платёжных агентов", accusative="платёжного агента")
    list_display = ("name", "inn", "account", "purpose_words")
    search_fields = ("name", "inn", "account")


@admin.register(PurposePattern)
class PurposePatternAdmin(BackOfficeAdmin):
    noun = Noun(
        "шаблон назначения платежа",
        "шаблона назначения платежа",
        "шаблонов назначения платежа",
        accusative="шаблон назначения платежа",
    )
    list_display = ("name", "regex", "order", "active")
    list_editable = ("order", "active")
