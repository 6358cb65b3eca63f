"""Every page of the back-office, with data on it: for the language test and the browser tests.

`backoffice_data()` fills the database the way `make run` does (the demo data, with requests
waiting in the queue, one of them overdue) and adds what the demo lacks: a rejected request, a
failed message, a failed upload, an online payment. `backoffice_pages(user)` lists the pages that user opens:
the start page, each section, and for every registered model its list (with the date
drill-down down to a day), its add form, one object's page, its history and its delete page.
`filter_pages(html, url)` adds, from a list page, the list with its counters shown and with each
of its filters applied.
"""

import re
from dataclasses import dataclass
from decimal import Decimal
from html import unescape
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.db.models import DateTimeField
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from kabinet.billing.imports.built_in import ensure_built_in_profiles
from kabinet.billing.models import Account, ImportJob, ImportProfile
from kabinet.core.models import User
from kabinet.demo.loader import load_demo_data
from kabinet.messaging.models import OutboxMessage
from kabinet.messaging.services import send_sms
from kabinet.payments.models import OnlinePayment
from kabinet.residents.defaults import ensure_policy_documents, ensure_rejection_reasons
from kabinet.residents.models import PolicyDocument, RejectionReason
from kabinet.residents.services import registration
from kabinet.testing import submit_request

STAFF_PASSWORDS = {"operator": "demo-operator-2026", "admin": "demo-admin-2026"}  # as the demo sets them


def backoffice_data() -> None:
    # What migrations publish, again: a test on a live server empties the tables after itself.
    ensure_policy_documents(PolicyDocument)
    ensure_rejection_reasons(RejectionReason)
    ensure_built_in_profiles(ImportProfile)
    load_demo_data()
    admin_user = User.objects.get(username="admin")
    rejected = submit_request(full_name="Кузнецова Мария", account_number="1000123459", phone="+79990003344")
    registration.reject_request(
        registration_request=rejected, staff=admin_user, reason="ФИО не совпадает с данными начислений."
    )
    failed = send_sms(phone="+79990001122", text="Проверка доставки")
    OutboxMessage.objects.filter(pk=failed.pk).update(
        status=OutboxMessage.Status.FAILED, attempts=8, gateway="dev", last_error="шлюз не ответил"
    )
    ImportJob.objects.create(
        kind="accounts",
        file_name="accounts.csv",
        stored_path="/nonexistent/accounts.csv",
        status=ImportJob.Status.FAILED,
        summary="Лицевые счета: строк с ошибками 2. Ничего не изменено.",
        error_count=2,
        report="строка 3: не указан номер лицевого счёта\nстрока 5: площадь «abc» — не число",
        created_by=admin_user,
        finished_at=timezone.now(),
    )
    # An upload of a new layout waiting on «Столбцы файла» for its columns to be mapped.
    directory = Path(settings.BILLING_IMPORT_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    waiting = directory / "backoffice-walk-1c.csv"
    waiting.write_bytes("ЛС;Месяц;Услуга;Сумма\r\n1000123459;10.2026;Отопление;2 734,51\r\n".encode("cp1251"))
    ImportJob.objects.create(
        kind="accruals",
        file_name="1с-октябрь.csv",
        stored_path=str(waiting),
        bytes_total=waiting.stat().st_size,
        status=ImportJob.Status.MAPPING,
        created_by=admin_user,
    )
    OnlinePayment.objects.create(
        account=Account.objects.get(number="1000123461"),
        amount=Decimal("1500.50"),
        provider="dev",
        provider_payment_id="dev-7f3a",
        status=OnlinePayment.Status.PENDING,
    )


@dataclass(frozen=True)
class Page:
    url: str
    what: str  # «оплаты: список», for a readable failure


def _request_as(user: User):
    request = RequestFactory().get("/admin/")
    request.user = user or AnonymousUser()
    return request


def _drill_down(model_admin, changelist: str, obj) -> list[Page]:
    """The date hierarchy's month and day levels: where «4 декабря» used to read «4 Декабрь»."""
    field = model_admin.date_hierarchy
    value = getattr(obj, field, None)
    if value is None:
        return []
    if isinstance(model_admin.model._meta.get_field(field), DateTimeField):
        value = timezone.localtime(value)
    year = {f"{field}__year": value.year}
    month = {**year, f"{field}__month": value.month}
    day = {**month, f"{field}__day": value.day}
    return [Page(f"{changelist}?{urlencode(q)}", f"{changelist} по датам") for q in (year, month, day)]


def _has_record_pages(name: str) -> bool:
    try:
        reverse(f"{name}_change", args=[1])
    except NoReverseMatch:
        return False
    return True


def backoffice_pages(user: User) -> list[Page]:
    """The pages `user` may open, as the back-office's own links lead to them."""
    request = _request_as(user)
    pages = [Page(reverse("admin:index"), "начальная страница")]
    for app_label in sorted({m._meta.app_label for m in admin.site._registry}):
        if user.has_module_perms(app_label):
            pages.append(Page(reverse("admin:app_list", args=[app_label]), f"раздел {app_label}"))
    for model, model_admin in sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label):
        if not model_admin.has_view_or_change_permission(request):
            continue  # its pages answer 403; the admin's run covers them
        opts = model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}"
        changelist = reverse(f"{name}_changelist")
        pages.append(Page(changelist, f"{opts.verbose_name_plural}: список"))
        if model_admin.has_add_permission(request):
            pages.append(Page(reverse(f"{name}_add"), f"{opts.verbose_name}: добавление"))
        if not _has_record_pages(name):
            continue  # a screen of its own (ГИС ЖКХ's exchange), not a table of records
        objects = model_admin.get_queryset(request).order_by("pk")
        newest, oldest = objects.last(), objects.first()
        if newest is None:
            continue
        if model_admin.date_hierarchy:
            pages += _drill_down(model_admin, changelist, newest)
        for obj in {newest.pk: newest, oldest.pk: oldest}.values():
            pages.append(Page(reverse(f"{name}_change", args=[obj.pk]), f"{opts.verbose_name}: страница"))
        pages.append(Page(reverse(f"{name}_history", args=[newest.pk]), f"{opts.verbose_name}: история"))
        if model_admin.has_delete_permission(request, newest):
            pages.append(Page(reverse(f"{name}_delete", args=[newest.pk]), f"{opts.verbose_name}: удаление"))
    return pages + _own_pages()


FILTER_SECTION = re.compile(r"<details data-filter-title=[^>]*>(.*?)</details>", re.S)
FILTER_CHOICE = re.compile(r'<li(?: class="selected")?>\s*<a href="(\?[^"]*)"')
SHOW_COUNTS = re.compile(r'<a href="(\?[^"]*)" class="viewlink"')


def filter_pages(html: str, changelist: str) -> list[Page]:
    """The list `changelist` with its counters shown, and once filtered by each of its filters.

    Every choice of every filter is already named on the list itself; applying one shows what the
    list says about itself when filtered (its counter, the chosen filter), so one choice a filter is
    enough — the last, the one furthest from «Все» (a month filter's oldest month, say).
    """
    filter_block = html.partition('id="changelist-filter"')[2]
    queries = [found.group(1) for found in SHOW_COUNTS.finditer(filter_block)]
    for section in FILTER_SECTION.findall(filter_block):
        choices = [q for q in FILTER_CHOICE.findall(section) if q != "?"]
        queries += choices[-1:]
    return [Page(f"{changelist}{unescape(q)}", f"{changelist}: фильтр") for q in dict.fromkeys(queries)]


def _own_pages() -> list[Page]:
    """Pages the back-office adds to Django's."""
    own = [("admin:meters_reading_export", "выгрузка показаний"), ("admin:password_change", "смена пароля")]
    pages = [Page(reverse(name), what) for name, what in own]
    for job in ImportJob.objects.filter(status=ImportJob.Status.MAPPING):
        pages.append(Page(reverse("admin:billing_importjob_columns", args=[job.pk]), "столбцы файла"))
    return pages
