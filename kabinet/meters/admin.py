from datetime import timedelta

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
from kabinet.core.clientip import client_ip

from . import export, selectors, services
from .forms import ExportForm
from .models import Building, Meter, Reading, ReadingReminder, ReadingSchedule


@admin.register(ReadingSchedule)
class ReadingScheduleAdmin(admin.ModelAdmin):
    """One row: the company's window. The list goes straight to it."""

    list_display = ("__str__",)

    def has_add_permission(self, request) -> bool:
        return not ReadingSchedule.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        schedule = ReadingSchedule.load()
        return HttpResponseRedirect(reverse("admin:meters_readingschedule_change", args=[schedule.pk]))


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):
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


class ReadingInline(admin.TabularInline):
    model = Reading
    formfield_overrides = LOCALIZED_DECIMALS
    extra = 0
    fields = (
        "period",
        "value",
        "value_t2",
        "value_t3",
        "consumption",
        "source",
        "submitted_at",
        "confirmed_high",
    )
    readonly_fields = ("consumption", "submitted_at", "confirmed_high")
    ordering = ("-period",)


@admin.register(Meter)
class MeterAdmin(admin.ModelAdmin):
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
    search_fields = ("account__number", "serial_number")
    list_select_related = ("account", "building")
    autocomplete_fields = ("account", "building")
    inlines = [ReadingInline]
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
                '<strong class="overdue">{} — просрочена</strong>', f"{obj.next_check_date:%d.%m.%Y}"
            )
        return f"{obj.next_check_date:%d.%m.%Y}"

    def save_formset(self, request, form, formset, change) -> None:
        # A reading typed in here is the operator's, whatever the form's default says.
        for reading in formset.save(commit=False):
            if reading.pk is None:
                reading.source, reading.submitted_by = Reading.Source.OPERATOR, request.user
            reading.save()
        for obj in formset.deleted_objects:
            obj.delete()

    def save_model(self, request, obj: Meter, form, change) -> None:
        if obj.building_id is None:
            obj.building = services.building_for(obj.account)  # the house from the account's address
        super().save_model(request, obj, form, change)


class PeriodFilter(admin.SimpleListFilter):
    title = "период"
    parameter_name = "period"

    def lookups(self, request, model_admin):
        periods = Reading.objects.order_by("-period").values_list("period", flat=True).distinct()[:24]
        return [(f"{p:%Y-%m-%d}", f"{p:%m.%Y}") for p in periods]

    def queryset(self, request, queryset):
        return queryset.filter(period=self.value()) if self.value() else queryset


@admin.register(Reading)
class ReadingAdmin(admin.ModelAdmin):
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
    list_filter = (PeriodFilter, "meter__service", "meter__building", "source", "confirmed_high")
    search_fields = ("meter__account__number", "meter__serial_number")
    list_select_related = ("meter__account",)
    autocomplete_fields = ("meter",)
    readonly_fields = ("submitted_by",)

    @admin.display(description="лицевой счёт", ordering="meter__account__number")
    def account_number(self, obj: Reading) -> str:
        return obj.meter.account.number

    @admin.display(description="период", ordering="period")
    def period_shown(self, obj: Reading) -> str:
        return f"{obj.period:%m.%Y}"

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
class ReadingReminderAdmin(admin.ModelAdmin):
    list_display = ("resident", "period", "channel", "sent_at")
    list_filter = ("period", "channel")
    search_fields = ("resident__full_name", "resident__account_links__account__number")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
