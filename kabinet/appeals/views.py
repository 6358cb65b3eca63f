from collections.abc import Callable
from typing import TypeVar
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from kabinet.core import formats
from kabinet.core.models import Company
from kabinet.meters.selectors import account_meters
from kabinet.residents.cabinet import Cabinet, cabinet_page

from . import provisional, selectors, services
from .files import CheckedFile, download_name
from .forms import AppealForm, MessageForm
from .models import Appeal

T = TypeVar("T")


@cabinet_page
def appeal_list(request: HttpRequest, cabinet: Cabinet) -> HttpResponse:
    ctx = {"appeals": selectors.account_appeals(cabinet.account) if cabinet.account else []}
    return render(request, "appeals/list.html", ctx)


@cabinet_page
def new_appeal(request: HttpRequest, cabinet: Cabinet) -> HttpResponse:
    if request.method == "POST" and cabinet.account is not None:
        form = AppealForm(request.POST, request.FILES)
        appeal = _send_with_files(
            request,
            form,
            provisional.NEW_APPEAL,
            lambda files: services.submit_appeal(
                resident=cabinet.resident,
                account=cabinet.account,
                category=form.cleaned_data["category"],
                text=form.cleaned_data["text"],
                files=files,
            ),
        )
        if appeal is not None:
            due = formats.date(appeal.answer_due_at)
            messages.success(
                request,
                f"Обращение №{appeal.pk} отправлено. Ответ — не позднее {due}: "
                "он появится на этой странице и придёт на вашу электронную почту.",
            )
            return redirect(appeal)
    else:
        form = AppealForm(initial=_about_meter(request, cabinet))
    return render(
        request, "appeals/new.html", {"form": form, "kept_files": provisional.held(request.session)}
    )


def _send_with_files(
    request: HttpRequest, form, scope: str, action: Callable[[list[CheckedFile]], T]
) -> T | None:
    """Validate `form`, then call `action` with its files and those kept from the submission
    before. On any error the checked files wait in the session (provisional.py) rather than
    vanish, and the error stands beside its field; None is returned then."""
    if not form.is_valid():
        if "files" not in form.errors:
            # Another field's error: the checked files wait here rather than vanish.
            provisional.keep(request.session, form.cleaned_data.get("files", []), scope)
        return None
    files = provisional.take(request.session, scope, drop=set(request.POST.getlist("drop_file")))
    files += form.cleaned_data["files"]
    try:
        if len(files) > settings.APPEALS_MAX_FILES:
            raise services.AppealError(
                f"Можно приложить не больше {settings.APPEALS_MAX_FILES} файлов, вместе с уже "
                f"приложенными их {len(files)}. Уберите лишние.",
                field="files",
            )
        return action(files)
    except services.AppealError as error:
        provisional.keep(request.session, files, scope)
        form.add_error(error.field, error.message)
        return None


def _about_meter(request: HttpRequest, cabinet: Cabinet) -> dict:
    """«Сообщить о поверке или замене прибора» from the readings page: the appeal names the meter."""
    meter_id = request.GET.get("meter", "")
    meter = account_meters(cabinet.accounts).filter(pk=meter_id).first() if meter_id.isdigit() else None
    if meter is None:
        return {}
    return {
        "category": selectors.category_named("Приборы учёта"),
        "text": f"{meter.name_for_resident}"
        + (f" ({meter.place})" if meter.place else "")
        + ": срок поверки истёк. Прошу сообщить, что нужно для поверки или замены прибора.",
    }


@cabinet_page
def appeal_detail(request: HttpRequest, cabinet: Cabinet, pk: int) -> HttpResponse:
    return _detail(request, selectors.household_appeal(cabinet.accounts, pk))


def _detail(request: HttpRequest, appeal: Appeal, form: MessageForm | None = None) -> HttpResponse:
    """The appeal, its conversation both ways, and the form to write back: an answer while it is
    open, a reopening within the company's term after it was closed."""
    attachments, replies = selectors.conversation(appeal)
    reopen_until = appeal.reopen_until(Company.load().appeal_reopen_days)
    may_reopen = reopen_until is not None and timezone.now() <= reopen_until
    ctx = {
        "appeal": appeal,
        "attachments": attachments,
        "replies": replies,
        "reopen_until": reopen_until if may_reopen else None,
        "reopen_refusal": "" if may_reopen or not appeal.is_closed else services.reopen_refusal(reopen_until),
        "form": form or MessageForm(reopening=appeal.is_closed),
        "kept_files": provisional.held(request.session, provisional.scope_of(appeal.pk)),
    }
    return render(request, "appeals/detail.html", ctx)


@require_POST
@cabinet_page
def write_to_company(request: HttpRequest, cabinet: Cabinet, pk: int) -> HttpResponse:
    return _write(
        request, cabinet, pk, services.write_to_company, "Сообщение отправлено в управляющую компанию."
    )


@require_POST
@cabinet_page
def reopen(request: HttpRequest, cabinet: Cabinet, pk: int) -> HttpResponse:
    return _write(request, cabinet, pk, services.reopen_appeal, "Обращение возобновлено.")


def _write(request: HttpRequest, cabinet: Cabinet, pk: int, service, done: str) -> HttpResponse:
    appeal = selectors.household_appeal(cabinet.accounts, pk)
    form = MessageForm(request.POST, request.FILES, reopening=service is services.reopen_appeal)
    sent = _send_with_files(
        request,
        form,
        provisional.scope_of(appeal.pk),
        lambda files: service(
            resident=cabinet.resident, appeal=appeal, text=form.cleaned_data["text"], files=files
        ),
    )
    if sent is None:
        return _detail(request, appeal, form)
    appeal.refresh_from_db()
    due = f" Ответ — не позднее {formats.date(appeal.answer_due_at)}." if appeal.answered_at is None else ""
    messages.success(request, done + due)
    return redirect(appeal.get_absolute_url() + "#write")


@cabinet_page
def attachment(request: HttpRequest, cabinet: Cabinet, pk: int) -> FileResponse:
    return attachment_response(selectors.household_attachment(cabinet.accounts, pk))


def attachment_response(attachment) -> HttpResponse:
    """The stored file as a download, never rendered by the browser as a page of our site.

    Behind nginx (KABINET_X_ACCEL_PREFIX set) Django has checked who asks and answers with
    `X-Accel-Redirect`: nginx sends the bytes from its `internal` location (deploy/nginx), so a
    10 MB scan does not hold a web worker for the length of a slow phone's download.
    """
    filename = download_name(attachment.original_name, attachment.content_type)
    if settings.X_ACCEL_PREFIX:
        if not attachment.file.storage.exists(attachment.file.name):
            raise Http404
        response = HttpResponse(content_type=attachment.content_type)
        response["X-Accel-Redirect"] = settings.X_ACCEL_PREFIX + quote(attachment.file.name)
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    else:
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(
            handle, as_attachment=True, filename=filename, content_type=attachment.content_type
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
