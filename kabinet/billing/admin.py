from pathlib import Path

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from kabinet.core import formats
from kabinet.core.backoffice import BackOfficeAdmin, MonthFilter
from kabinet.core.formats import Noun

from . import services
from .forms import (
    NEW_LAYOUT,
    AccountForm,
    AssignUnmatchedForm,
    ColumnsForm,
    ImportProfileForm,
    ImportUploadForm,
    guess_columns,
)
from .imports import KINDS, ImportFileError, mapping
from .imports.jobs import map_columns_and_queue, profile_name, queue_import
from .models import (
    Account,
    AccountPeriod,
    Accrual,
    AgentTransfer,
    BankAgent,
    ImportJob,
    ImportProfile,
    Payment,
    PaymentRegistry,
    PurposePattern,
    Service,
    UnmatchedPayment,
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


class ImportKindFilter(admin.SimpleListFilter):
    title = "что в файле"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [(code, kind.title) for code, kind in KINDS.items()]

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


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


@admin.register(ImportJob)
class ImportJobAdmin(BackOfficeAdmin):
    """Upload a billing file; the job page shows its progress and, at the end, the report."""

    noun = Noun("загрузка файла", "загрузки файлов", "загрузок файлов", accusative="загрузку файла")

    list_display = (
        "created_at",
        "file_name",
        "kind_shown",
        "status",
        "progress_shown",
        "error_count",
        "created_by",
    )
    list_filter = ("status", ImportKindFilter)
    search_fields = ("file_name",)
    change_form_template = "admin/billing/importjob/change_form.html"
    fields = (
        "file_name",
        "kind_shown",
        "profile",
        "column_profile",
        "skip_bad",
        "status",
        "progress_shown",
        "summary",
        "report_shown",
        "created_by",
        "created_at",
        "started_at",
        "finished_at",
    )
    readonly_fields = fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ImportUploadForm
            kwargs["fields"] = self.upload_fields
        return super().get_form(request, obj, change=change, **kwargs)

    upload_fields = ("kind", "layout", "profile", "skip_bad", "upload")

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.upload_fields
        # A job shows the one layout it was read with: a bank's profile, or the file's columns.
        kind = KINDS.get(obj.kind)
        unused = "column_profile" if kind is not None and kind.profiles else "profile"
        return tuple(name for name in self.fields if name != unused)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # the page shows the job; nothing in it is edited

    # Django's titles put the model's name after the verb as it is: «Добавить загрузка файла».
    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {**(extra_context or {}), "title": "Загрузки файлов"})

    def add_view(self, request, form_url="", extra_context=None):
        return super().add_view(request, form_url, {**(extra_context or {}), "title": "Загрузить файл"})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        context = {**(extra_context or {}), "title": "Загрузка файла"}
        return super().change_view(request, object_id, form_url, context)

    def save_model(self, request, obj, form, change) -> None:
        obj.column_profile = form.cleaned_data.get("column_profile")
        new_layout = form.cleaned_data.get("layout") == NEW_LAYOUT
        queue_import(job=obj, upload=form.cleaned_data["upload"], user=request.user, map_columns=new_layout)

    def response_add(self, request, obj, post_url_continue=None):
        if obj.status == ImportJob.Status.MAPPING:
            return HttpResponseRedirect(reverse("admin:billing_importjob_columns", args=[obj.pk]))
        self.message_user(
            request,
            f"Файл «{obj.file_name}» поставлен в очередь на загрузку. Ход загрузки — на этой странице.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:billing_importjob_change", args=[obj.pk]))

    def get_urls(self):
        columns = self.admin_site.admin_view(self.columns_view)
        return [
            path("<path:object_id>/columns/", columns, name="billing_importjob_columns"),
            *super().get_urls(),
        ]

    def columns_view(self, request, object_id: str):
        """«Столбцы файла»: the first rows of an uploaded file of a new layout, a select per
        Kabinet's field, and the profile's name; saving keeps the profile and queues the file."""
        job = self.get_object(request, unquote(object_id))
        if job is None:
            raise Http404
        if not self.has_add_permission(request):
            raise PermissionDenied
        if job.status != ImportJob.Status.MAPPING:
            return HttpResponseRedirect(reverse("admin:billing_importjob_change", args=[job.pk]))
        kind = KINDS[job.kind]
        posted = request.POST if request.method == "POST" else None
        layout = mapping.Layout(
            kind=job.kind,
            encoding=(posted or {}).get("encoding", ""),
            separator=(posted or {}).get("separator", ""),
            header_row=_number((posted or {}).get("header_row", ""), default=1),
        )
        fields = mapping.fields_of(job.kind, kind.columns)
        try:
            header, rows, encoding = mapping.preview(Path(job.stored_path), layout)
            problem = ""
        except ImportFileError as exc:
            header, rows, encoding, problem = [], [], "", str(exc)
        saving = posted is not None and "_save" in posted
        initial = {
            "header_row": layout.header_row,
            **{f"col_{k}": v for k, v in guess_columns(fields, header).items()},
        }
        if posted is not None and not saving:
            initial = {**initial, **{k: v for k, v in posted.items() if k != "csrfmiddlewaretoken"}}
        form = ColumnsForm(posted if saving else None, initial=initial, fields=fields, header=header)
        if saving and not problem and form.is_valid():
            done = self._save_columns(request, job, form, layout, header)
            if done is not None:
                return done
        context = {
            **self.admin_site.each_context(request),
            "title": "Столбцы файла",
            "opts": self.model._meta,
            "job": job,
            "kind": kind,
            "form": form,
            "header": header,
            "rows": [list(zip(header, row, strict=False)) for row in rows],  # each cell knows its column
            "encoding": encoding,
            "problem": problem,
        }
        return TemplateResponse(request, "admin/billing/importjob/columns.html", context)

    def _save_columns(self, request, job, form, layout, header):
        layout.mapping = form.mapping()
        layout.title = form.cleaned_data["title"]
        try:
            mapping.check(layout, header, columns=KINDS[job.kind].columns)
        except ImportFileError as exc:
            form.add_error(None, str(exc))
            return None
        profile = ImportProfile(
            name=profile_name(title=layout.title, kind=job.kind),
            title=layout.title,
            kind=job.kind,
            separator=layout.separator,
            encoding=layout.encoding,
            header_row=layout.header_row,
            mapping=layout.mapping,
        )
        try:
            map_columns_and_queue(job=job, profile=profile)
        except ImportFileError as exc:
            self.message_user(request, str(exc), messages.WARNING)
            return HttpResponseRedirect(reverse("admin:billing_importjob_change", args=[job.pk]))
        self.log_addition(request, profile, [{"added": {}}])
        self.message_user(
            request,
            f"Профиль «{profile.title}» сохранён — он появится в поле «Формат файла» при следующей загрузке. "
            f"Файл «{job.file_name}» поставлен в очередь на загрузку. Ход загрузки — на этой странице.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:billing_importjob_change", args=[job.pk]))

    @admin.display(description="что в файле")
    def kind_shown(self, obj: ImportJob) -> str:
        kind = KINDS.get(obj.kind)
        return kind.title if kind else obj.kind

    @admin.display(description="ход загрузки")
    def progress_shown(self, obj: ImportJob) -> str:
        rows = formats.number(obj.rows_done, 0)
        return format_html(
            '<progress max="100" value="{}" aria-label="ход загрузки">{}%</progress> '
            "{}% · строк прочитано: {}",
            obj.percent,
            obj.percent,
            obj.percent,
            rows,
        )

    @admin.display(description="отчёт по строкам")
    def report_shown(self, obj: ImportJob) -> str:
        if not obj.report:
            return "—" if obj.finished else "будет после загрузки"
        return format_html('<pre class="import-report">{}</pre>', obj.report)


def _number(text: str, *, default: int) -> int:
    try:
        return max(0, min(int(text), 1000))
    except (TypeError, ValueError):
        return default


@admin.register(ImportProfile)
class ImportProfileAdmin(BackOfficeAdmin):
    """Profiles of billing systems' own columns: made on the «Столбцы файла» page of an upload,
    or built in; here the operator renames one or corrects its columns."""

    noun = Noun("профиль файла", "профиля файла", "профилей файлов", accusative="профиль файла")
    form = ImportProfileForm
    list_display = ("title", "name_shown", "kind_shown", "file_format", "encoding", "built_in")
    list_filter = ("built_in", ImportKindFilter)
    search_fields = ("title", "name")
    readonly_fields = ("kind_shown", "built_in", "created_at", "updated_at")

    def get_fieldsets(self, request, obj=None):
        columns = (
            [f"col_{name}" for name, _, _ in mapping.fields_of(obj.kind, KINDS[obj.kind].columns)]
            if obj
            else []
        )
        return [
            (None, {"fields": ["title", "name", "kind_shown", "built_in"]}),
            ("Как читать файл", {"fields": ["file_format", "encoding", "separator", "header_row"]}),
            (
                "Столбцы файла",
                {
                    "fields": columns,
                    "description": "Для каждого поля Кабинета — название столбца файла, как в его заголовке. "
                    "Несколько столбцов, значения которых соединяются (фамилия, имя, отчество), — через «+».",
                },
            ),
            (None, {"fields": ["created_at", "updated_at"]}),
        ]

    def has_add_permission(self, request) -> bool:
        return False  # a profile is made from a file: «Загрузки файлов → Загрузить файл → Другой»

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and not (obj is not None and obj.built_in)

    @admin.display(description="имя профиля", ordering="name")
    def name_shown(self, obj: ImportProfile) -> str:
        return format_html("<code>{}</code>", obj.name)  # typed as it is in the command

    @admin.display(description="что в файле")
    def kind_shown(self, obj: ImportProfile) -> str:
        kind = KINDS.get(obj.kind)
        return kind.title if kind else obj.kind


# --- Bank registries and statements ----------------------------------------------------------


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
