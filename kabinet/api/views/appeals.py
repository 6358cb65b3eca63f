"""Appeals: the list, a new one with attachments, the conversation, writing back, reopening."""

from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import renderers, status
from rest_framework.response import Response

from kabinet.appeals import selectors, services
from kabinet.appeals.forms import AppealForm, MessageForm
from kabinet.appeals.views import attachment_response
from kabinet.core.models import Company

from .. import selectors as api_selectors
from .. import serializers as out
from .. import services as api_services
from . import shapes
from .base import PersonalView, checked

ERRORS = {401: out.Error, 404: out.Error}


def _brief(appeal, unread_ids: set[int]) -> dict:
    return {
        "id": appeal.pk,
        "account": {"number": appeal.account.number},
        "category": {"name": appeal.category.name},
        "text": appeal.text,
        "status": appeal.status,
        "get_status_display": appeal.get_status_display(),
        "created_at": appeal.created_at,
        "answered_at": appeal.answered_at,
        "unread_answer": appeal.pk in unread_ids,
    }


def _form_data(request) -> tuple[dict, dict]:
    data = request.data
    plain = {k: data.get(k) for k in data} if hasattr(data, "keys") else {}
    plain = {
        k: v if isinstance(v, str) else "" if v is None else str(v) for k, v in plain.items() if k != "files"
    }
    return plain, request.FILES


class AppealListView(PersonalView):
    @extend_schema(
        tags=["Обращения"],
        summary="Обращения по лицевым счетам кабинета",
        parameters=[OpenApiParameter("account", str, description="Только по этому лицевому счёту.")],
        responses={200: out.AppealBrief(many=True), **ERRORS},
    )
    def get(self, request):
        number = request.query_params.get("account")
        accounts = [self.account(number)] if number else self.accounts()
        appeals = selectors.household_appeals(accounts)
        unread = set(api_selectors.unread_answers(self.token, appeals).values_list("pk", flat=True))
        appeals = appeals[:200]
        return Response(out.AppealBrief([_brief(a, unread) for a in appeals], many=True).data)

    @extend_schema(
        tags=["Обращения"],
        summary="Новое обращение (multipart/form-data для файлов)",
        request={"multipart/form-data": out.AppealCreate, "application/json": out.AppealCreate},
        responses={201: out.Appeal, 400: out.Error, **ERRORS},
    )
    def post(self, request):
        data, files = _form_data(request)
        account = self.account(data.get("account", ""))
        form = checked(AppealForm(data, files))
        appeal = services.submit_appeal(
            resident=self.resident,
            account=account,
            category=form.cleaned_data["category"],
            text=form.cleaned_data["text"],
            files=form.cleaned_data["files"],
        )
        return Response(_full(self, appeal), status=status.HTTP_201_CREATED)


def _full(view: PersonalView, appeal) -> dict:
    attachments, replies = selectors.conversation(appeal)
    until = appeal.reopen_until(Company.load().appeal_reopen_days)
    data = _brief(appeal, set())
    data.update(
        {
            "attachments": [shapes.attachment(a) for a in attachments],
            "messages": [
                {
                    "by_resident": r.by_resident,
                    "text": r.text,
                    "status": r.status,
                    "created_at": r.created_at,
                    "attachments": [shapes.attachment(a) for a in r.attachments.all()],
                }
                for r in replies
            ],
            "can_write": not appeal.is_closed,
            "can_reopen": appeal.is_closed and until is not None and timezone.now() <= until,
        }
    )
    api_services.mark_appeal_read(token=view.token, appeal=appeal)
    return out.Appeal(data).data


class AppealDetailView(PersonalView):
    @extend_schema(
        tags=["Обращения"],
        summary="Обращение с перепиской (отмечает ответы прочитанными в этом приложении)",
        responses={200: out.Appeal, **ERRORS},
    )
    def get(self, request, pk: int):
        return Response(_full(self, selectors.household_appeal(self.accounts(), pk)))


class AppealMessageView(PersonalView):
    reopening = False

    @extend_schema(
        tags=["Обращения"],
        summary="Написать в управляющую компанию по обращению, приложить фотографии",
        request={"multipart/form-data": out.AppealMessage, "application/json": out.AppealMessage},
        responses={201: out.Appeal, 400: out.Error, **ERRORS},
    )
    def post(self, request, pk: int):
        appeal = selectors.household_appeal(self.accounts(), pk)
        data, files = _form_data(request)
        form = checked(MessageForm(data, files, reopening=self.reopening))
        files = form.cleaned_data["files"]  # the form limits their number and checks each
        action = services.reopen_appeal if self.reopening else services.write_to_company
        action(resident=self.resident, appeal=appeal, text=form.cleaned_data["text"], files=files)
        appeal.refresh_from_db()
        return Response(_full(self, appeal), status=status.HTTP_201_CREATED)


class AppealReopenView(AppealMessageView):
    reopening = True

    @extend_schema(
        tags=["Обращения"],
        summary="Возобновить закрытое обращение (в срок, который установила компания)",
        request={"multipart/form-data": out.AppealMessage, "application/json": out.AppealMessage},
        responses={201: out.Appeal, 400: out.Error, **ERRORS},
    )
    def post(self, request, pk: int):
        return super().post(request, pk)


class AnyRenderer(renderers.BaseRenderer):
    media_type = "*/*"
    format = "file"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class AttachmentView(PersonalView):
    renderer_classes = [renderers.JSONRenderer, AnyRenderer]

    @extend_schema(
        tags=["Обращения"],
        summary="Вложение обращения (файл)",
        responses={
            (200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY, description="Файл"),
            (401, "application/json"): out.Error,
            (404, "application/json"): out.Error,
        },
    )
    def get(self, request, appeal_pk: int, pk: int):
        attachment = selectors.household_attachment(self.accounts(), pk)
        if attachment.appeal_id != appeal_pk:
            raise Http404
        return attachment_response(attachment)


class CategoryListView(PersonalView):
    @extend_schema(
        tags=["Обращения"], summary="Темы обращений", responses={200: out.Category(many=True), 401: out.Error}
    )
    def get(self, request):
        items = [{"id": c.pk, "name": c.name} for c in selectors.active_categories()]
        return Response(out.Category(items, many=True).data)
