"""The back-office screens of the books: accounts, services, accruals, payments, balances."""

from django.contrib import admin

from kabinet.core import formats
from kabinet.core.backoffice import BackOfficeAdmin, MonthFilter
from kabinet.core.formats import Noun

from ..forms import (
    AccountForm,
)
from ..models import (
    Account,
    AccountPeriod,
    Accrual,
    Payment,
    Service,
)


class HasPhoneFilter(admin.SimpleListFilter):
    title = "телефон"
    parameter_name = "has_phone"

    def lookups(self, request, model_admin):
        return [("yes", "указан"), ("no", "не указан")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(phone="")
        if self.value() == "no":
            return queryset.filter(phone="")
        return queryset


@admin.register(Account)
class AccountAdmin(BackOfficeAdmin):
    noun = Noun("лицевой счёт", "лицевых счёта", "лицевых счетов", accusative="лицевой счёт")
    form = AccountForm
    list_display = ("number", "holder_name", "address", "area_shown", "phone")
    search_fields = ("number", "holder_name", "address", "phone", "unified_number", "service_id")
    list_filter = (HasPhoneFilter,)
    ordering = ("number",)
    readonly_fields = ("created_at", "updated_at")
    fieldsets = [
        (None, {"fields": ["number", "holder_name", "address", "area", "phone", "email"]}),
        # Given by ГИС ЖКХ, loaded from its file (kabinet/gis); typed here only to correct one.
        ("ГИС ЖКХ", {"fields": ["unified_number", "service_id"]}),
        (None, {"fields": ["created_at", "updated_at"]}),
    ]

    @admin.display(description="площадь", ordering="area")
    def area_shown(self, obj: Account) -> str:
        return "—" if obj.area is None else f"{formats.quantity(obj.area)} м²"  # as on the receipt


@admin.register(Service)
class ServiceAdmin(BackOfficeAdmin):
    noun = Noun("услуга", "услуги", "услуг", accusative="услугу")
    list_display = ("name", "code", "unit", "order")
    list_editable = ("order",)
    search_fields = ("name", "code")


@admin.register(Accrual)
class AccrualAdmin(BackOfficeAdmin):
    """Read-only: accruals come from the billing system and are replaced by its files."""

    noun = Noun("начисление", "начисления", "начислений", accusative="начисление")

    list_display = (
        "account",
        "period_shown",
        "service",
        "tariff_shown",
        "volume_shown",
        "unit",
        "volume_source",
        "to_pay_shown",
    )
    list_filter = (MonthFilter, "service", "volume_source")
    search_fields = ("account__number",)
    list_select_related = ("account", "service")
    date_hierarchy = "period"

    @admin.display(description="период", ordering="period")
    def period_shown(self, obj: Accrual) -> str:
        return formats.month(obj.period)

    @admin.display(description="тариф", ordering="tariff")
    def tariff_shown(self, obj: Accrual) -> str:
        return "" if obj.tariff is None else formats.money(obj.tariff)

    @admin.display(description="объём", ordering="volume")
    def volume_shown(self, obj: Accrual) -> str:
        return "" if obj.volume is None else formats.quantity(obj.volume)

    @admin.display(description="к оплате", ordering="to_pay")
    def to_pay_shown(self, obj: Accrual) -> str:
        return formats.money(obj.to_pay)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the balances would no longer add up; a file replaces a month whole


@admin.register(Payment)
class PaymentAdmin(BackOfficeAdmin):
    noun = Noun("оплата", "оплаты", "оплат", accusative="оплату")
    list_display = ("account", "paid_on", "amount_shown", "source", "external_id", "note")
    list_filter = ("source", MonthFilter)
    search_fields = ("account__number", "external_id")
    list_select_related = ("account",)
    date_hierarchy = "paid_on"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the balances would no longer add up; payments come from files and ЮKassa

    @admin.display(description="сумма", ordering="amount")
    def amount_shown(self, obj: Payment) -> str:
        return formats.money(obj.amount)


@admin.register(AccountPeriod)
class AccountPeriodAdmin(BackOfficeAdmin):
    noun = Noun("сальдо за период", "сальдо за период", "сальдо за период", accusative="сальдо за период")
    list_display = (
        "account",
        "period_shown",
        "opening",
        "accrued_shown",
        "paid_shown",
        "closing",
        "due_date",
    )
    list_filter = (MonthFilter,)
    search_fields = ("account__number",)
    list_select_related = ("account",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # computed from the accruals and payments, rebuilt by every import

    @admin.display(description="период", ordering="period")
    def period_shown(self, obj: AccountPeriod) -> str:
        return formats.month(obj.period)

    @admin.display(description="долг (+) / аванс (−) на начало", ordering="opening_balance")
    def opening(self, obj: AccountPeriod) -> str:
        return formats.money(obj.opening_balance)

    @admin.display(description="начислено", ordering="accrued")
    def accrued_shown(self, obj: AccountPeriod) -> str:
        return formats.money(obj.accrued)

    @admin.display(description="оплачено", ordering="paid")
    def paid_shown(self, obj: AccountPeriod) -> str:
        return formats.money(obj.paid)

    @admin.display(description="долг (+) / аванс (−) на конец", ordering="closing_balance")
    def closing(self, obj: AccountPeriod) -> str:
        return formats.money(obj.closing_balance)
