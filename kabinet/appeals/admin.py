from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from kabinet.core import formats
from kabinet.core.backoffice import BackOfficeAdmin
from kabinet.core.formats import Noun
from kabinet.core.normalize import phone_display

from . import selectors, services
from .models import Appeal, AppealAttachment, AppealCategory
from .views import attachment_response


@admin.register(AppealCategory)
class AppealCategoryAdmin(BackOfficeAdmin):
    noun = Noun(
        "категория обращений", "категории обращений", "категорий обращений", accusative="категорию обращений"
    )
    list_display = ("name", "position", "answer_days", "is_active")
    list_editable = ("position", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name",)


class AnswerFilter(admin.SimpleListFilter):
    title = "ответ"
    parameter_name = "answer"

    def lookups(self, request, model_admin):
        return [
            ("none", "без ответа"),
            # Each category's own term (AppealCategory.answer_days), else the company's.
            ("overdue", "просрочены: срок ответа по теме истёк"),
            ("resident", "житель написал после ответа"),
            ("answered", "с ответом"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(answered_at__isnull=True, status__in=Appeal.OPEN)
        if self.value() == "overdue":
            return selectors.overdue(queryset)
        if self.value() == "resident":
            return selectors.unanswered_messages(queryset)
        if self.value() == "answered":
            return queryset.filter(answered_at__isnull=False)
        return queryset


class AppealReplyForm(forms.ModelForm):
    """The appeal's page in the back-office: a new status and a reply, saved in one step."""

    reply = forms.CharField(
        label="Ответ жителю",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
    )

    class Meta:
        model = Appeal
        fields = ["status"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "status" not in self.fields:
            return  # view-only staff: every field is shown read-only
        email = services.resident_email(self.instance) if self.instance.pk else ""
        where = f"и получит письмо на {email}" if email else "(e-mail у жителя не указан, письма не будет)"
        self.fields["reply"].help_text = f"Житель увидит ответ в личном кабинете {where}."
        self.fields["status"].help_text = "Новый статус житель увидит вместе с ответом."

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("reply", "").strip() and data.get("status") == self.initial.get("status"):
            raise forms.ValidationError("Напишите ответ жителю или измените статус обращения.")
        return data


@admin.register(Appeal)
class AppealAdmin(BackOfficeAdmin):
    noun = Noun("обращение", "обращения", "обращений", accusative="обращение")
    form = AppealReplyForm
    # What an operator looks for first comes first: which one, in what state, waiting how long.
    list_display = ("number", "status_shown", "answer", "received", "category", "who")
    list_display_links = ("number", "received")
    list_filter = ("status", AnswerFilter, "category", "created_at")
    search_fields = ("account__number", "resident__full_name", "account__holder_name", "text")
    search_help_text = "Номер лицевого счёта, ФИО или слова из текста обращения."
    date_hierarchy = "created_at"
    list_select_related = ("account", "resident", "category")
    list_per_page = 50
    fieldsets = [
        (
            "Обращение",
            {
                "fields": [
                    "number",
                    "created_at",
                    "status_shown",
                    "account_shown",
                    "resident_shown",
                    "category",
                    "text_shown",
                    "attachment_links",
                ]
            },
        ),
        ("Переписка", {"fields": ["conversation"]}),
        ("Ответить и сменить статус", {"fields": ["status", "reply"]}),
    ]
    # The resident's words are evidence: staff answer them, they do not edit them.
    readonly_fields = [name for _, options in fieldsets[:2] for name in options["fields"]]
    change_form_template = "admin/appeals/appeal/change_form.html"
    view_on_site = False  # the resident's page is for the resident only

    class Media:
        css = {"all": ["appeals/admin.css"]}

    def has_add_permission(self, request) -> bool:
        return False  # appeals come from residents' cabinets

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    # --- columns and read-only fields ---------------------------------------------------------

    @admin.display(description="№", ordering="pk")
    def number(self, obj: Appeal) -> str:
        return f"№{obj.pk}"

    @admin.display(description="поступило", ordering="created_at")
    def received(self, obj: Appeal) -> str:
        return formats.short_date_time(obj.created_at)

    @admin.display(description="счёт, житель", ordering="account__number")
    def who(self, obj: Appeal) -> str:
        return format_html(
            "{}<br>{}", obj.account.number, obj.resident.full_name if obj.resident else "кабинет закрыт"
        )

    @admin.display(description="статус", ordering="status")
    def status_shown(self, obj: Appeal) -> str:
        return format_html('<span class="status status--{}">{}</span>', obj.status, obj.get_status_display())

    @admin.display(description="ответ", ordering="answered_at")
    def answer(self, obj: Appeal) -> str:
        if obj.resident_wrote_at:
            wrote = formats.short_date_time(obj.resident_wrote_at)
            return format_html(
                '<strong class="resident-wrote">житель написал {}, ждёт ответа</strong>', wrote
            )
        if obj.answered_at:
            return f"дан {formats.short_date(obj.answered_at)}"
        if obj.status not in Appeal.OPEN:
            return "—"
        # Calendar days in the company's zone: an appeal of 23:25 yesterday came «вчера».
        days = (timezone.localdate() - timezone.localdate(obj.reopened_at or obj.created_at)).days
        waiting = formats.counted(days, "день", "дня", "дней")
        if obj.is_overdue:
            return format_html('<strong class="overdue">без ответа {} — просрочено</strong>', waiting)
        came = "возобновлено" if obj.reopened_at else "поступило"
        if days == 0:
            return f"ждёт, {came} сегодня"
        if days == 1:
            return f"ждёт, {came} вчера"
        return f"ждёт {waiting}"

    @admin.display(description="лицевой счёт")
    def account_shown(self, obj: Appeal) -> str:
        account = obj.account
        return f"{account.number}; {account.address}; владелец по данным начислений: {account.holder_name}"

    @admin.display(description="житель")
    def resident_shown(self, obj: Appeal) -> str:
        if obj.resident is None:
            return "кабинет закрыт"
        user = obj.resident.user
        contacts = [phone_display(obj.resident.phone)] + ([user.email] if user.email else [])
        return f"{obj.resident.full_name}; {', '.join(contacts)}"

    @admin.display(description="текст обращения")
    def text_shown(self, obj: Appeal) -> str:
        return format_html('<div class="appeal-text">{}</div>', obj.text)

    @admin.display(description="вложения")
    def attachment_links(self, obj: Appeal) -> str:
        files = list(obj.attachments.filter(reply=None))
        if not files:
            return "нет"
        return format_html_join(
            mark_safe("<br>"),
            '<a href="{}" download>{}</a> ({}, {})',
            (
                (
                    reverse("admin:appeals_appeal_attachment", args=[obj.pk, f.pk]),
                    f.original_name,
                    f.content_type,
                    f.size_display,
                )
                for f in files
            ),
        )

    @admin.display(description="ответы и сообщения жителя")
    def conversation(self, obj: Appeal) -> str:
        _, replies = selectors.conversation(obj)
        return render_to_string("admin/appeals/appeal/conversation.html", {"appeal": obj, "replies": replies})

    # --- the reply --------------------------------------------------------------------------

    def save_model(self, request: HttpRequest, obj: Appeal, form: AppealReplyForm, change: bool) -> None:
        reply = services.reply_to_appeal(
            appeal=obj,
            staff=request.user,
            text=form.cleaned_data["reply"],
            status=form.cleaned_data["status"],
        )
        request.appeal_reply_summary = self._summary(obj, reply)

    def _summary(self, obj: Appeal, reply) -> str:
        done = []
        if reply.text:
            done.append("ответ записан")
        if reply.status:
            done.append(f"статус «{reply.get_status_display()}»")
        email = services.resident_email(obj)
        told = (
            f"письмо жителю отправлено на {email}" if email else "у жителя нет e-mail: ответ виден в кабинете"
        )
        return f"Обращение №{obj.pk}: {', '.join(done)}; {told}."

    def response_change(self, request: HttpRequest, obj: Appeal) -> HttpResponse:
        self.message_user(request, request.appeal_reply_summary, messages.SUCCESS)
        # Back to the same page: the operator sees the reply in the conversation.
        return HttpResponseRedirect(reverse("admin:appeals_appeal_change", args=[obj.pk]))

    def get_urls(self):
        own = [
            path(
                "<int:pk>/files/<int:file_pk>/",
                self.admin_site.admin_view(self.attachment_view),
                name="appeals_appeal_attachment",
            )
        ]
        return own + super().get_urls()

    def attachment_view(self, request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
        attachment = get_object_or_404(
            AppealAttachment.objects.select_related("appeal"), pk=file_pk, appeal_id=pk
        )
        if not self.has_view_or_change_permission(request, attachment.appeal):
            raise PermissionDenied
        return attachment_response(attachment)

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": "Обращения жителей", **(extra_context or {})})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {"title": "Обращение жителя", **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Appeal]:
        return super().get_queryset(request).select_related("account", "resident__user", "category")
