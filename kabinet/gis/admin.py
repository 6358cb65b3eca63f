"""The back-office page «Обмен с ГИС ЖКХ»: the two files to send, the two files received.

The exports are asked for here and written by the billing worker (a company's month is minutes
of writing): the page lists them, refreshing itself while one is being written, with the file
to download and what it holds. The imports are uploads of billing's kinds «gis-accounts» and
«gis-meters», run by the same worker with their progress and row report, and listed here.
"""

from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from kabinet.billing.models import Account, ImportJob
from kabinet.core import formats
from kabinet.core.backoffice import BackOfficeAdmin
from kabinet.core.formats import Noun, plural
from kabinet.meters.models import Meter
from kabinet.meters.selectors import local_today

from . import services
from .forms import ExportForm
from .models import GisExchange, GisExport

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
        return [
            path("", self.admin_site.admin_view(self.exchange_view), name="gis_gisexchange_changelist"),
            path(
                "export/<int:pk>/",
                self.admin_site.admin_view(self.download_view),
                name="gis_gisexport_download",
            ),
        ]

    def exchange_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        previous = (local_today().replace(day=1) - timedelta(days=1)).replace(day=1)  # last month
        form = ExportForm(request.POST or None, initial={"period": previous})
        if request.method == "POST" and form.is_valid():
            kind, period = form.cleaned_data["kind"], form.cleaned_data["period"]
            export = services.queue_export(kind=kind, period=period, actor=request.user)
            messages.success(
                request,
                f"Файл «{export.file_name}» ({services.KINDS[kind]} за {formats.month(period)}) готовится. "
                "Ссылка на него появится в списке «Выгрузки для ГИС ЖКХ» ниже, когда он будет готов.",
            )
            return HttpResponseRedirect(request.path)
        accounts = Account.objects.aggregate(total=Count("id"), known=Count("id", filter=~Q(service_id="")))
        meters = Meter.objects.filter(is_active=True).aggregate(
            total=Count("id"), known=Count("id", filter=~Q(gis_number=""))
        )
        jobs = ImportJob.objects.filter(kind__in=list(GIS_KINDS)).order_by("-created_at")[:20]
        exports = list(GisExport.objects.all()[:20])
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
            "exports": [(export, services.KINDS.get(export.kind, export.kind)) for export in exports],
            "export_keep_days": settings.EXPORT_KEEP_DAYS,
            "waiting": any(e.status in (GisExport.Status.QUEUED, GisExport.Status.RUNNING) for e in exports),
            "jobs": [(job, GIS_KINDS[job.kind]) for job in jobs],
            "uploads": [(f"{upload}?kind={code}", title) for code, title in GIS_KINDS.items()],
            "can_upload": request.user.has_perm("billing.add_importjob"),
        }
        return TemplateResponse(request, "admin/gis/gisexchange/exchange.html", ctx)

    def download_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        export = GisExport.objects.filter(pk=pk, status=GisExport.Status.DONE).first()
        if export is None:
            raise Http404
        if export.file_purged_at is not None or not Path(export.stored_path).is_file():
            # A link kept from an older page: say what became of the file, not a bare 404.
            return self._file_gone(request, export)
        stored = Path(export.stored_path).open("rb")  # noqa: SIM115 — FileResponse closes it when sent
        return FileResponse(stored, as_attachment=True, filename=export.file_name, content_type=XLSX)

    def _file_gone(self, request: HttpRequest, export: GisExport) -> HttpResponse:
        ctx = {
            **self.admin_site.each_context(request),
            "title": "Файл удалён" if export.file_purged_at else "Файл не найден",
            "opts": self.model._meta,
            "export": export,
            "what": services.KINDS.get(export.kind, export.kind),
            "keep_days": settings.EXPORT_KEEP_DAYS,
        }
        # 410: the file was there and is gone for good; 404: it is missing (a disk restored
        # without it). The page says which, and how to get the file again.
        status = 410 if export.file_purged_at else 404
        return TemplateResponse(request, "admin/gis/gisexchange/file_gone.html", ctx, status=status)
