"""The back-office screens of billing files: the upload jobs with their progress and report,
the «Столбцы файла» page of a new layout, the saved column profiles."""

import datetime
from pathlib import Path

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from kabinet.core import formats
from kabinet.core.backoffice import BackOfficeAdmin
from kabinet.core.formats import Noun
from kabinet.core.keptfiles import remove_file

from ..forms import (
    NEW_LAYOUT,
    ColumnsForm,
    ImportProfileForm,
    ImportUploadForm,
    guess_columns,
)
from ..imports import KINDS, ImportFileError, mapping
from ..imports.jobs import map_columns_and_queue, profile_name, queue_import
from ..models import (
    ImportJob,
    ImportProfile,
)


class ImportKindFilter(admin.SimpleListFilter):
    title = "что в файле"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [(code, kind.title) for code, kind in KINDS.items()]

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


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
        "file_kept_shown",
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

    # A deleted job's file would be kept by nobody: it goes with the row.
    def delete_model(self, request, obj) -> None:
        stored = obj.stored_path
        super().delete_model(request, obj)
        remove_file(stored)

    def delete_queryset(self, request, queryset) -> None:
        stored = list(queryset.values_list("stored_path", flat=True))
        super().delete_queryset(request, queryset)
        for each in stored:
            remove_file(each)

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
            header, rows, encoding = mapping.preview(Path(job.stored_path), layout, file_name=job.file_name)
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

    @admin.display(description="файл на сервере")
    def file_kept_shown(self, obj: ImportJob) -> str:
        """What becomes of the uploaded file: it holds residents' data and is kept only so long."""
        if obj.file_purged_at is not None:
            return (
                f"Файл удалён по сроку хранения {formats.date(obj.file_purged_at)}; "
                "итог и отчёт по строкам остаются."
            )
        if obj.file_kept_until is not None:
            until = formats.date(obj.file_kept_until)
            return f"Хранится до {until}, затем удаляется (в нём персональные данные)."
        if obj.status == ImportJob.Status.MAPPING:
            deadline = obj.created_at + datetime.timedelta(days=settings.IMPORT_UPLOAD_KEEP_DAYS)
            return (
                f"Ждёт сопоставления столбцов; если не сопоставить их до {formats.date(deadline)}, "
                "файл будет удалён."
            )
        return "Хранится, пока файл ждёт загрузки и загружается."

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
