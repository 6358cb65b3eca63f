"""The back-office start page: what waits for staff, each with a link to the list that shows it.

One card per kind of work — registration requests, appeals, payments and uploads, undelivered
messages — counted here and shown only to staff who may open its list. A card's link opens the
list already filtered to what the card counts.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin
from django.db.models import Model, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from kabinet.appeals import selectors as appeal_selectors
from kabinet.appeals.models import Appeal
from kabinet.audit.models import AuditEntry
from kabinet.billing.models import ImportJob, UnmatchedPayment
from kabinet.core.formats import counted
from kabinet.core.models import Company
from kabinet.messaging.models import OutboxMessage
from kabinet.payments.models import OnlinePayment
from kabinet.residents.models import RegistrationRequest

# An online payment the provider has not confirmed after this long needs a look.
PAYMENT_CONFIRMATION_WAIT = timedelta(hours=1)
# Failed uploads of the last week are shown; older ones were dealt with or are history.
FAILED_UPLOADS_DAYS = 7


@dataclass(frozen=True)
class Line:
    """One count on a card: «3 заявки ждут проверки», linked to the list of those three."""

    text: str
    url: str
    count: int
    urgent: bool = False  # past a promised time: stands out


@dataclass(frozen=True)
class Card:
    title: str
    lines: list[Line] = field(default_factory=list)

    @property
    def waits(self) -> bool:
        return any(line.count for line in self.lines)


def _list(model: type[Model], **filters) -> str:
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


def _may_see(request: HttpRequest, model: type[Model]) -> bool:
    model_admin = admin.site._registry.get(model)
    return model_admin is not None and model_admin.has_view_or_change_permission(request)


def _requests() -> Card:
    pending = RegistrationRequest.objects.filter(status=RegistrationRequest.Status.PENDING)
    limit = timezone.now() - timedelta(hours=settings.REGISTRATION_REVIEW_LIMIT_HOURS)
    waiting, overdue = pending.count(), pending.filter(created_at__lt=limit).count()
    return Card(
        "Заявки на регистрацию",
        [
            Line(
                f"{counted(waiting, 'заявка ждёт', 'заявки ждут', 'заявок ждут')} проверки",
                _list(RegistrationRequest, status__exact="pending"),
                waiting,
            ),
            Line(
                f"Ждут больше трёх суток: {overdue}",
                _list(RegistrationRequest, overdue="yes"),
                overdue,
                urgent=True,
            ),
        ],
    )


def _appeals() -> Card:
    open_ = Appeal.objects.filter(status__in=Appeal.OPEN)
    # Past each category's own term (or the company's), as the inbox's filter counts them.
    overdue = appeal_selectors.overdue(Appeal.objects.all()).count()
    wrote = appeal_selectors.unanswered_messages(Appeal.objects.all()).count()
    count = open_.count()
    return Card(
        "Обращения жителей",
        [
            Line(
                f"{counted(count, 'обращение открыто', 'обращения открыты', 'обращений открыто')}",
                _list(Appeal, status__in="new,in_progress"),
                count,
            ),
            Line(
                f"Без ответа дольше срока: {overdue}",
                _list(Appeal, answer="overdue"),
                overdue,
                urgent=True,
            ),
            Line(
                f"Житель написал после ответа: {wrote}",
                _list(Appeal, answer="resident"),
                wrote,
            ),
        ],
    )


def _payments(request: HttpRequest) -> Card:
    lines = []
    if _may_see(request, UnmatchedPayment):
        waiting = UnmatchedPayment.objects.filter(status=UnmatchedPayment.Status.WAITING).count()
        lines.append(
            Line(
                f"Неразнесённые платежи банка: {waiting}",
                _list(UnmatchedPayment, status__exact=UnmatchedPayment.Status.WAITING),
                waiting,
                urgent=True,
            )
        )
    if _may_see(request, OnlinePayment):
        unconfirmed = OnlinePayment.objects.filter(
            status__in=[OnlinePayment.Status.CREATED, OnlinePayment.Status.PENDING],
            created_at__lt=timezone.now() - PAYMENT_CONFIRMATION_WAIT,
        ).count()
        lines.append(
            Line(
                f"{counted(unconfirmed, 'онлайн-платёж', 'онлайн-платежа', 'онлайн-платежей')} без "
                "подтверждения платёжного сервиса больше часа",
                _list(OnlinePayment, status__in="created,pending"),
                unconfirmed,
            )
        )
    if _may_see(request, ImportJob):
        since = timezone.now() - timedelta(days=FAILED_UPLOADS_DAYS)
        failed = ImportJob.objects.filter(status=ImportJob.Status.FAILED, finished_at__gte=since).count()
        lines.append(
            Line(
                f"Файлы из системы начислений, не загруженные за неделю: {failed}",
                _list(ImportJob, status__exact="failed"),
                failed,
                urgent=True,
            )
        )
    return Card("Платежи и загрузки", lines)


def _messages() -> Card:
    undelivered = OutboxMessage.objects.filter(
        Q(status=OutboxMessage.Status.FAILED) | Q(status=OutboxMessage.Status.UNDELIVERED)
    ).count()
    return Card(
        "SMS и письма",
        [
            Line(
                f"Не отправлены или не доставлены: {undelivered}",
                _list(OutboxMessage, status__in="failed,undelivered"),
                undelivered,
                urgent=True,
            )
        ],
    )


def _company(request: HttpRequest) -> Card | None:
    """Until the company's details are filled in, the consent cannot name the operator in full."""
    company_admin = admin.site._registry.get(Company)
    company = Company.load()
    if company.names_the_operator or company_admin is None:
        return None
    if not company_admin.has_change_permission(request, company):
        return None
    missing = [
        label
        for label, value in (
            ("название", company.name),
            ("адрес", company.legal_address or company.address),
            ("ИНН", company.inn),
            ("ОГРН", company.ogrn),
        )
        if not value
    ]
    url = reverse("admin:core_company_change", args=[company.pk])
    text = f"Согласие на обработку персональных данных не называет оператора: заполните {', '.join(missing)}"
    return Card("Управляющая компания", [Line(text, url, len(missing), urgent=True)])


def waiting(request: HttpRequest) -> list[Card]:
    """The cards this member of staff may see, in the order work usually comes."""
    cards = []
    if _may_see(request, RegistrationRequest):
        cards.append(_requests())
    if _may_see(request, Appeal):
        cards.append(_appeals())
    payments = _payments(request)
    if payments.lines:
        cards.append(payments)
    if _may_see(request, OutboxMessage):
        cards.append(_messages())
    company = _company(request)
    if company is not None:
        cards.append(company)
    return cards


def my_actions_url(request: HttpRequest) -> str | None:
    """The audit log of the signed-in member of staff's own actions."""
    if not _may_see(request, AuditEntry):
        return None
    return _list(AuditEntry, actor__id__exact=request.user.pk)
