from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from kabinet.core.backoffice import BackOfficeAdmin
from kabinet.core.formats import Noun
from kabinet.core.normalize import phone_display
from kabinet.messaging import limits as sms_limits

from .models import Consent, PolicyDocument, RegistrationRequest, RejectionReason, Resident, ResidentAccount
from .services import registration

# How each point of the billing check looks: symbol, CSS modifier, the word for a screen reader.
MARKS = {True: ("✔", "ok", "да"), False: ("✘", "bad", "нет"), None: ("—", "none", "нет данных")}


def waited(since) -> str:
    delta = timezone.now() - since
    days, hours = delta.days, delta.seconds // 3600
    if days:
        return f"{days} дн. {hours} ч"
    return f"{hours} ч {delta.seconds % 3600 // 60} мин"


class OverdueFilter(admin.SimpleListFilter):
    title = "срок проверки"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "просрочены (больше трёх суток)"), ("no", "в пределах срока")]

    def queryset(self, request, queryset):
        limit = timezone.now() - timedelta(hours=settings.REGISTRATION_REVIEW_LIMIT_HOURS)
        pending = queryset.filter(status=RegistrationRequest.Status.PENDING)
        if self.value() == "yes":
            return pending.filter(created_at__lt=limit)
        if self.value() == "no":
            return pending.filter(created_at__gte=limit)
        return queryset


class RejectForm(forms.Form):
    """A reason from the administrator's list, the operator's own words, or both.

    The applicant gets an SMS that the request was rejected and where to read why; the reason
    itself, whole, goes by e-mail and stands on the applicant's page of the request.
    """

    ready = forms.ModelChoiceField(
        label="Причина из списка",
        queryset=RejectionReason.objects.none(),
        required=False,
        blank=True,
        empty_label="Своя причина — напишите её ниже",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Своими словами или дополнение к причине из списка",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Заявитель получит SMS, что заявка отклонена, а причину целиком прочтёт в письме "
        "и на странице своей заявки. Пишите понятно: что не совпало и что сделать.",
    )

    def __init__(self, *args, form_id: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ready"].queryset = RejectionReason.objects.filter(is_active=True)
        if form_id:  # the fields stand inside the change form but belong to the rejection's form
            for field in self.fields.values():
                field.widget.attrs["form"] = form_id

    def clean(self) -> dict:
        data = super().clean()
        ready, own = data.get("ready"), data.get("reason", "").strip()
        if ready is None and not own:
            self.add_error("reason", "Выберите причину из списка или напишите свою.")
        data["full_reason"] = " ".join(part for part in (ready.text if ready else "", own) if part)
        return data


@admin.register(RegistrationRequest)
class RegistrationRequestAdmin(BackOfficeAdmin):
    noun = Noun(
        "заявка на регистрацию",
        "заявки на регистрацию",
        "заявок на регистрацию",
        accusative="заявку на регистрацию",
    )
    # What the decision needs comes first: the billing check, how long it waits, its state.
    list_display = ("checks", "waiting", "status", "applicant", "created_at")
    list_display_links = ("applicant",)
    list_filter = ("status", "kind", OverdueFilter, "approved_automatically", "name_matches", "created_at")
    search_fields = ("full_name", "account_number", "phone", "email")
    date_hierarchy = "created_at"
    ordering = ("created_at",)
    list_select_related = ("account",)
    actions = ["approve_selected", "reject_selected"]
    fieldsets = [
        (
            "Заявка",
            {
                "fields": [
                    "kind",
                    "status",
                    "created_at",
                    "waiting",
                    "full_name",
                    "account_number",
                    "phone_shown",
                    "email",
                ]
            },
        ),
        ("Проверка по данным начислений", {"fields": ["account", "account_holder", "checks"]}),
        (
            "Решение",
            {
                "fields": [
                    "decided_at",
                    "decided_by",
                    "approved_automatically",
                    "contested_by",
                    "rejection_reason",
                    "completed_at",
                ]
            },
        ),
        ("Откуда подана", {"fields": ["ip_address", "user_agent"], "classes": ["collapse"]}),
    ]
    # The request is evidence of what the applicant typed: staff decide on it, they do not edit it.
    readonly_fields = [name for _, options in fieldsets for name in options["fields"]]
    change_form_template = "admin/residents/registrationrequest/change_form.html"

    class Media:
        css = {"all": ["residents/admin.css"]}

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="телефон")
    def phone_shown(self, obj: RegistrationRequest) -> str:
        return phone_display(obj.phone)

    @admin.display(description="заявитель", ordering="full_name")
    def applicant(self, obj: RegistrationRequest) -> str:
        return format_html(
            '{}<br><span class="applicant__more">л/с {} · {}</span>{}',
            obj.full_name,
            obj.account_number,
            phone_display(obj.phone),
            # A further account for an existing cabinet: approving links it, no code is sent.
            format_html('<br><span class="applicant__kind">{}</span>', obj.get_kind_display())
            if obj.adds_account
            else "",
        )

    @admin.display(description="проверка по данным начислений")
    def checks(self, obj: RegistrationRequest) -> str:
        known = obj.account_id is not None
        parts = [
            ("счёт", known),
            ("ФИО", obj.name_matches if known else None),
            ("телефон", obj.phone_matches),
            ("свободен", obj.account_free if known else None),
        ]
        return format_html_join(
            " ",
            '<span class="check check--{}" title="{}">{} {}</span>',
            ((MARKS[value][1], MARKS[value][2], MARKS[value][0], label) for label, value in parts),
        )

    @admin.display(description="владелец по данным начислений")
    def account_holder(self, obj: RegistrationRequest) -> str:
        if obj.account is None:
            return "лицевой счёт не найден"
        phone = phone_display(obj.account.phone) if obj.account.phone else "телефона нет"
        return f"{obj.account.holder_name}; {obj.account.address}; {phone}"

    @admin.display(description="ждёт", ordering="created_at")
    def waiting(self, obj: RegistrationRequest) -> str:
        if obj.status != RegistrationRequest.Status.PENDING:
            return "—"
        if obj.is_overdue:
            return format_html('<strong class="overdue">{} — просрочена</strong>', waited(obj.created_at))
        return waited(obj.created_at)

    # --- decisions ---------------------------------------------------------------------------

    def get_urls(self):
        own = [
            path(
                "<int:pk>/approve/",
                self.admin_site.admin_view(self.approve_view),
                name="residents_request_approve",
            ),
            path(
                "<int:pk>/reject/",
                self.admin_site.admin_view(self.reject_view),
                name="residents_request_reject",
            ),
        ]
        return own + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": "Заявки на регистрацию", **(extra_context or {})})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            "title": "Заявка на регистрацию",
            "reject_form": RejectForm(form_id="reject-form"),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _back(self, pk: int) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:residents_registrationrequest_change", args=[pk]))

    def approve_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = get_object_or_404(RegistrationRequest, pk=pk)
        if request.method == "POST" and self.has_change_permission(request, obj):
            self._approve(request, obj)
        return self._back(pk)

    def reject_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = get_object_or_404(RegistrationRequest, pk=pk)
        if request.method != "POST" or not self.has_change_permission(request, obj):
            return self._back(pk)
        form = RejectForm(request.POST)
        if form.is_valid():
            self._reject(request, obj, form.cleaned_data["full_reason"])
        else:
            self.message_user(
                request,
                f"Заявка №{pk} не отклонена: выберите причину из списка или напишите свою.",
                messages.ERROR,
            )
        return self._back(pk)

    def _approve(self, request: HttpRequest, obj: RegistrationRequest) -> bool:
        if not obj.adds_account and sms_limits.cap_reached():
            # The code would not go out: approve when SMS can be sent again.
            self.message_user(
                request,
                f"Заявка №{obj.pk} не одобрена: сегодня сайт исчерпал дневной лимит SMS "
                "(KABINET_SMS_DAILY_CAP), код подтверждения не уйдёт. Одобрите заявку завтра.",
                messages.ERROR,
            )
            return False
        try:
            registration.approve_request(registration_request=obj, staff=request.user)
        except registration.RegistrationError as error:
            self.message_user(request, f"Заявка №{obj.pk} не одобрена: {error.message}", messages.ERROR)
            return False
        done = (
            "лицевой счёт подключён к кабинету жителя"
            if obj.adds_account
            else f"код подтверждения отправлен в SMS на {phone_display(obj.phone)}"
        )
        self.message_user(request, f"Заявка №{obj.pk} одобрена: {done}.", messages.SUCCESS)
        return True

    def _reject(self, request: HttpRequest, obj: RegistrationRequest, reason: str) -> bool:
        try:
            registration.reject_request(registration_request=obj, staff=request.user, reason=reason)
        except registration.RegistrationError as error:
            self.message_user(request, f"Заявка №{obj.pk} не отклонена: {error.message}", messages.ERROR)
            return False
        self.message_user(
            request,
            f"Заявка №{obj.pk} отклонена: причина отправлена заявителю в SMS и на {obj.email}.",
            messages.SUCCESS,
        )
        return True

    @admin.action(description="Одобрить выбранные заявки", permissions=["change"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset:
            self._approve(request, obj)

    @admin.action(description="Отклонить выбранные заявки…", permissions=["change"])
    def reject_selected(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        if "apply" in request.POST:
            form = RejectForm(request.POST)
            if form.is_valid():
                for obj in queryset:
                    self._reject(request, obj, form.cleaned_data["full_reason"])
                return None
        else:
            form = RejectForm()
        ctx = {
            **self.admin_site.each_context(request),
            "title": "Отклонить заявки на регистрацию",
            "opts": self.model._meta,
            "queryset": queryset,
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/residents/registrationrequest/reject_selected.html", ctx)


@admin.register(RejectionReason)
class RejectionReasonAdmin(BackOfficeAdmin):
    """The ready-made reasons operators pick when they reject a request."""

    noun = Noun("причина отказа", "причины отказа", "причин отказа", accusative="причину отказа")
    list_display = ("text", "position", "is_active")
    list_editable = ("position", "is_active")
    list_filter = ("is_active",)
    search_fields = ("text",)


class ResidentAccountInline(admin.TabularInline):
    model = ResidentAccount
    extra = 0
    raw_id_fields = ("account",)
    readonly_fields = ("linked_at",)


@admin.register(Resident)
class ResidentAdmin(BackOfficeAdmin):
    noun = Noun("житель", "жителя", "жителей", accusative="жителя")
    list_display = ("full_name", "phone_shown", "user", "created_at")
    search_fields = ("full_name", "phone", "user__username", "user__email", "accounts__number")
    inlines = [ResidentAccountInline]
    raw_id_fields = ("user",)

    @admin.display(description="телефон")
    def phone_shown(self, obj: Resident) -> str:
        return phone_display(obj.phone)


@admin.register(PolicyDocument)
class PolicyDocumentAdmin(BackOfficeAdmin):
    noun = Noun(
        "документ о персональных данных",
        "документа о персональных данных",
        "документов о персональных данных",
        accusative="документ о персональных данных",
    )
    list_display = ("kind", "version_shown", "title", "published_at")
    list_filter = ("kind",)

    @admin.display(description="редакция", ordering="version")
    def version_shown(self, obj: PolicyDocument) -> str:
        return obj.version_shown

    def has_delete_permission(self, request, obj=None) -> bool:
        # An accepted text is evidence of consent (152-ФЗ): publish a new version instead.
        return obj is None or not Consent.objects.filter(document=obj).exists()

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and Consent.objects.filter(document=obj).exists():
            return ("kind", "version_shown", "title", "text", "published_at")
        return ()

    def get_fields(self, request, obj=None):
        if obj is not None and Consent.objects.filter(document=obj).exists():
            return ("kind", "version_shown", "title", "text", "published_at")
        return ("kind", "version", "title", "text", "published_at")


@admin.register(Consent)
class ConsentAdmin(BackOfficeAdmin):
    noun = Noun("согласие", "согласия", "согласий", accusative="согласие")
    list_display = ("full_name", "document", "accepted_at", "ip_address", "withdrawn_at")
    list_filter = ("document__kind", "accepted_at", "withdrawn_at")
    search_fields = ("full_name", "ip_address", "registration_request__account_number")
    list_select_related = ("document",)
    readonly_fields = [f.name for f in Consent._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
