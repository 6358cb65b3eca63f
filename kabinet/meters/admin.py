from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from kabinet.audit import services as audit
from kabinet.audit.models import AuditEntry
from kabinet.core import formats
from kabinet.core.backoffice import BackOfficeAdmin, MonthFilter
from kabinet.core.clientip import client_ip
from kabinet.core.formats import Noun

from . import export, selectors, services
from .forms import ExportForm
from .models import Building, Meter, Reading, ReadingReminder, ReadingSchedule


@admin.register(ReadingSchedule)
class ReadingScheduleAdmin(BackOfficeAdmin):
    """One row: the company's window. The list goes straight to it."""

    noun = Noun(
        "окно приёма показаний",
        "окна приёма показаний",
        "окон приёма показаний",
        accusative="окно приёма показаний",
    )

    list_display = ("__str__",)

    def has_add_permission(self, request) -> bool:
        return not ReadingSchedule.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        schedule = ReadingSchedule.load()
        return HttpResponseRedirect(reverse("admin:meters_readingschedule_change", args=[schedule.pk]))


@admin.register(Building)
class BuildingAdmin(BackOfficeAdmin):
    noun = Noun("дом", "дома", "домов", accusative="дом")
    list_display = ("address", "window", "meter_count")
    search_fields = ("address",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(meter_count=Count("meters"))

    @admin.display(description="окно приёма показаний")
    def window(self, obj: Building) -> str:
        if obj.has_own_window:
            return f"своё: с {obj.opens_day} по {obj.closes_day} число"
        return "как у компании"

    @admin.display(description="приборов", ordering="meter_count")
    def meter_count(self, obj) -> int:
        return obj.meter_count


class OverdueFilter(admin.SimpleListFilter):
    title = "поверка"
    parameter_name = "check"

    def lookups(self, request, model_admin):
        return [("overdue", "просрочена"), ("soon", "в ближайшие 3 месяца"), ("ok", "в порядке")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.filter(next_check_date__lt=today)
        if self.value() == "soon":
            return queryset.filter(next_check_date__gte=today, next_check_date__lt=today + timedelta(days=92))
        if self.value() == "ok":
            return queryset.exclude(next_check_date__lt=today)
        return queryset


# Operators type readings the Russian way, «120,5»: decimal fields accept the comma.
LOCALIZED_DECIMALS = {models.DecimalField: {"localize": True}}


def current_period():
    """The month an operator's reading counts in: this month, in the company's zone."""
    return selectors.local_today().replace(day=1)


def value_fields(meter: Meter | None) -> list[str]:
    """The reading's fields a meter has: Т2 and Т3 only on a two- or three-tariff meter."""
    tariffs = meter.tariffs if meter is not None else 1
    return ["value", "value_t2", "value_t3"][:tariffs]


class ReadingHistoryInline(admin.TabularInline):
    """Readings of past months: evidence of what was sent, shown, never edited or deleted here."""

    model = Reading
    verbose_name = "показание прошлого месяца"
    verbose_name_plural = "показания прошлых месяцев"
    fields = ("period_shown", "values_shown", "consumption_shown", "source", "submitted_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-period",)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(period__lt=current_period()).select_related("meter")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="период")
    def period_shown(self, obj: Reading) -> str:
        return formats.month(obj.period)

    @admin.display(description="показание")
    def values_shown(self, obj: Reading) -> str:
        return obj.shown

    @admin.display(description="расход")
    def consumption_shown(self, obj: Reading) -> str:
        return "—" if obj.consumption is None else f"{obj.shown_consumption} {obj.meter.unit}"


class OperatorReadingForm(forms.ModelForm):
    """This month's reading typed by an operator: checked as the cabinet checks a resident's."""

    class Meta:
        model = Reading
        fields = ("value", "value_t2", "value_t3")

    def clean(self) -> dict:
        data = super().clean()
        meter = self.instance.meter
        names = value_fields(meter)
        values = tuple(data.get(name) for name in names)
        if any(value is None for value in values):
            if self.has_changed():
                raise forms.ValidationError("Укажите показание по каждому тарифу прибора.")
            return data
        try:
            services.check_operator_reading(meter=meter, period=current_period(), values=values)
        except services.ReadingRefused as refusal:
            raise forms.ValidationError(refusal.message) from None
        return data


class CurrentReadingInline(admin.TabularInline):
    """This month's reading: the one an operator may type in or correct."""

    model = Reading
    form = OperatorReadingForm
    formfield_overrides = LOCALIZED_DECIMALS
    extra = 1
    max_num = 1
    can_delete = False
    readonly_fields = ("source_shown", "submitted_shown")

    def get_formset(self, request, obj=None, **kwargs):
        self.verbose_name = f"показание за {formats.month(current_period())}"
        formset = super().get_formset(request, obj, **kwargs)
        # «Показание, м³» on a one-tariff meter; «Т1 (день), кВт·ч» and «Т2 (ночь), кВт·ч» on a two.
        for name, tariff in zip(value_fields(obj), obj.tariff_names, strict=True):
            field = formset.form.base_fields[name]
            field.label = f"{tariff or 'показание'}, {obj.unit}"
            # A row of a table has its labels in the column titles only: say it to a screen reader.
            field.widget.attrs["aria-label"] = f"{field.label} за {formats.month(current_period())}"
            field.required = False  # an empty row adds nothing; a half-filled one is refused
        return formset

    def get_queryset(self, request):
        return super().get_queryset(request).filter(period=current_period())

    def get_fields(self, request, obj=None):
        return [*value_fields(obj), "source_shown", "submitted_shown"]

    @admin.display(description="канал")
    def source_shown(self, obj: Reading) -> str:
        return obj.get_source_display() if obj.pk else "—"

    @admin.display(description="передано")
    def submitted_shown(self, obj: Reading) -> str:
        return formats.date_time(obj.submitted_at) if obj.pk else "—"


@admin.register(Meter)
class MeterAdmin(BackOfficeAdmin):
    noun = Noun("прибор учёта", "прибора учёта", "приборов учёта", accusative="прибор учёта")
    formfield_overrides = LOCALIZED_DECIMALS
    list_display = (
        "serial_number",
        "service",
        "account_number",
        "place",
        "building",
        "check_date",
        "is_active",
    )
    list_filter = ("service", OverdueFilter, "is_active", "building")
    search_fields = ("account__number", "serial_number", "gis_number")
    list_select_related = ("account", "building")
    autocomplete_fields = ("account", "building")
    inlines = [CurrentReadingInline, ReadingHistoryInline]
    fieldsets = [
        (
            None,
            {"fields": ["account", "building", "service", "tariffs", "serial_number", "place", "is_active"]},
        ),
        (
            "Счётный механизм",
            {
                "fields": [
                    "digits_before",
                    "digits_after",
                    "initial_value",
                    "initial_value_t2",
                    "initial_value_t3",
                ]
            },
        ),
        ("Установка и поверка", {"fields": ["installed_on", "next_check_date"]}),
        ("ГИС ЖКХ", {"fields": ["gis_number"]}),
    ]

    @admin.display(description="лицевой счёт", ordering="account__number")
    def account_number(self, obj: Meter) -> str:
        return obj.account.number

    @admin.display(description="следующая поверка", ordering="next_check_date")
    def check_date(self, obj: Meter) -> str:
        if obj.next_check_date is None:
            return "—"
        if obj.check_overdue(timezone.localdate()):
            return format_html(
                '<strong class="overdue">{} — просрочена</strong>', formats.short_date(obj.next_check_date)
            )
        return formats.short_date(obj.next_check_date)

    def save_formset(self, request, form, formset, change) -> None:
        # This month's reading goes through the service: consumption computed, marked the operator's.
        # The history of the meter's page (Django's log) is told what was added and what changed.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.forms:
            if not row.has_changed() or not row.cleaned_data:
                continue
            values = tuple(row.cleaned_data[name] for name in value_fields(form.instance))
            reading = services.record_operator_reading(
                meter=form.instance, period=current_period(), values=values, staff=request.user
            )
            if row.instance.pk is None:
                formset.new_objects.append(reading)
            else:
                formset.changed_objects.append((reading, row.changed_data))

    def get_inlines(self, request, obj=None):
        return self.inlines if obj is not None else []  # readings belong to a meter that exists

    def get_fieldsets(self, request, obj=None):
        # A one-tariff meter has no Т2 and Т3 starting values to fill in.
        if obj is None:
            return self.fieldsets
        hidden = {"initial_value_t2", "initial_value_t3"} - {f"initial_{n}" for n in value_fields(obj)}
        return [
            (title, {**options, "fields": [f for f in options["fields"] if f not in hidden]})
            for title, options in self.fieldsets
        ]

    def save_model(self, request, obj: Meter, form, change) -> None:
        if obj.building_id is None:
            obj.building = services.building_for(obj.account)  # the house from the account's address
        super().save_model(request, obj, form, change)


@admin.register(Reading)
class ReadingAdmin(BackOfficeAdmin):
    noun = Noun("показание", "показания", "показаний", accusative="показание")
    formfield_overrides = LOCALIZED_DECIMALS
    list_display = (
        "meter",
        "account_number",
        "period_shown",
        "value",
        "value_t2",
        "value_t3",
        "consumption",
        "source",
        "submitted_at",
    )
    list_filter = (MonthFilter, "meter__service", "meter__building", "source", "confirmed_high")
    search_fields = ("meter__account__number", "meter__serial_number")
    list_select_related = ("meter__account",)
    autocomplete_fields = ("meter",)
    readonly_fields = ("submitted_by",)

    @admin.display(description="лицевой счёт", ordering="meter__account__number")
    def account_number(self, obj: Reading) -> str:
        return obj.meter.account.number

    @admin.display(description="период", ordering="period")
    def period_shown(self, obj: Reading) -> str:
        return formats.month(obj.period)

    def get_urls(self):
        own = [path("export/", self.admin_site.admin_view(self.export_view), name="meters_reading_export")]
        return own + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra = {"export_url": reverse("admin:meters_reading_export"), **(extra_context or {})}
        return super().changelist_view(request, extra)

    def export_view(self, request: HttpRequest) -> HttpResponse:
        """The period picker; the answer to it is the file itself."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = ExportForm(request.POST or None, initial={"period": selectors.local_today().replace(day=1)})
        if request.method == "POST" and form.is_valid():
            return self._export(request, form.cleaned_data["period"], form.cleaned_data["file_format"])
        counts = Reading.objects.values("period").annotate(n=Count("id")).order_by("-period")[:12]
        ctx = {
            **self.admin_site.each_context(request),
            "title": "Выгрузка показаний для системы начислений",
            "opts": self.model._meta,
            "form": form,
            "counts": counts,
        }
        return TemplateResponse(request, "admin/meters/reading/export.html", ctx)

    def _export(self, request: HttpRequest, period, file_format: str) -> HttpResponse:
        count = selectors.export_count(period)
        name = f"readings-{period:%Y-%m}"
        if file_format == "xlsx":
            response = HttpResponse(
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            )
            export.write_xlsx(period, response)
        else:
            response = StreamingHttpResponse(
                export.csv_lines(selectors.export_rows(period)), content_type="text/csv; charset=utf-8"
            )
        response["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
        response["X-Readings-Count"] = str(count)
        audit.record(
            action=AuditEntry.Action.EXPORT,
            actor=request.user,
            ip=client_ip(request),
            target=f"показания за {period:%m.%Y}",
            details={"readings": count, "format": file_format},
        )
        # The file goes to the browser; the count is shown on the next back-office page.
        messages.success(
            request, f"Выгружено показаний за {period:%m.%Y}: {count} (файл {name}.{file_format})."
        )
        return response


@admin.register(ReadingReminder)
class ReadingReminderAdmin(BackOfficeAdmin):
    noun = Noun(
        "напоминание о показаниях",
        "напоминания о показаниях",
        "напоминаний о показаниях",
        accusative="напоминание о показаниях",
    )
    list_display = ("resident", "period", "channel", "sent_at")
    list_filter = ("period", "channel")
    search_fields = ("resident__full_name", "resident__account_links__account__number")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
