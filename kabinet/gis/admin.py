"""The back-office page «Обмен с ГИС ЖКХ»: the two files to send, the two files received.

The exports answer with the file itself (the summary waits on the next page); the imports are
uploads of billing's kinds «gis-accounts» and «gis-meters», run by the billing worker with their
progress and row report, and listed here.
"""

from datetime import timedelta

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse

from kabinet.billing.models import Account, ImportJob
from kabinet.core.backoffice import BackOfficeAdmin
from kabinet.core.clientip import client_ip
from kabinet.core.formats import Noun, plural
from kabinet.meters.models import Meter
from kabinet.meters.selectors import local_today

from . import services
from .forms import ExportForm
from .models import GisExchange

GIS_KINDS = {"gis-accounts": "ЕЛС и идентификаторы ЖКУ лицевых счетов", "gis-meters": "номера приборов учёта"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@admin.register(GisExchange)
class GisExchangeAdmin(BackOfficeAdmin):
    noun = Noun("обмен с ГИС ЖКХ", "обмена с ГИС ЖКХ", "обменов с ГИС ЖКХ", accusative="обмен с ГИС ЖКХ")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        return [path("", self.admin_site.admin_view(self.exchange_view), name="gis_gisexchange_changelist")]

    def exchange_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        previous = (local_today().replace(day=1) - timedelta(days=1)).replace(day=1)  # last month
        form = ExportForm(request.POST or None, initial={"period": previous})
        if request.method == "POST" and form.is_valid():
            return self._export(request, form.cleaned_data["kind"], form.cleaned_data["period"])
        accounts = Account.objects.aggregate(total=Count("id"), known=Count("id", filter=~Q(service_id="")))
        meters = Meter.objects.filter(is_active=True).aggregate(
            total=Count("id"), known=Count("id", filter=~Q(gis_number=""))
        )
        jobs = ImportJob.objects.filter(kind__in=list(GIS_KINDS)).order_by("-created_at")[:20]
        upload = reverse("admin:billing_importjob_add")
        ctx = {
            **self.admin_site.each_context(request),
            "title": "Обмен с ГИС ЖКХ",
            "opts": self.model._meta,
            "form": form,
            "known": (
                f"{accounts['known']} из {accounts['total']} "
                f"{plural(accounts['total'], 'лицевого счёта', 'лицевых счетов', 'лицевых счетов')} и "
                f"{meters['known']} из {meters['total']} "
                f"{plural(meters['total'], 'прибора', 'приборов', 'приборов')} в работе"
            ),
            "jobs": [(job, GIS_KINDS[job.kind]) for job in jobs],
            "uploads": [(f"{upload}?kind={code}", title) for code, title in GIS_KINDS.items()],
            "can_upload": request.user.has_perm("billing.add_importjob"),
        }
        return TemplateResponse(request, "admin/gis/gisexchange/exchange.html", ctx)

    def _export(self, request: HttpRequest, kind: str, period) -> HttpResponse:
        response = HttpResponse(content_type=XLSX)
        export = (
            services.export_payment_documents if kind == "payment-documents" else services.export_readings
        )
        written = export(period=period, target=response, actor=request.user, ip=client_ip(request))
        name = f"gis-{kind}-{period:%Y-%m}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        # The file goes to the browser; what it holds is said on the next back-office page.
        level = messages.WARNING if _skipped(written) else messages.SUCCESS
        messages.add_message(request, level, f"{written.summary(period)} Файл {name}.")
        return response


def _skipped(written) -> int:
    return getattr(written, "without_service_id", 0) or getattr(written, "without_number", 0)
