"""Reads for the cabinet's appeal pages and the back-office inbox."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from kabinet.billing.models import Account

from .models import Appeal, AppealAttachment, AppealCategory


def account_appeals(account: Account) -> QuerySet[Appeal]:
    return (
        Appeal.objects.filter(account=account)
        .select_related("category")
        .annotate(reply_count=Count("replies", filter=Q(replies__by_resident=False)))
    )


def household_appeals(accounts: Iterable[Account]) -> QuerySet[Appeal]:
    """The appeals of all of a resident's accounts, newest first (the API lists them together)."""
    return (
        Appeal.objects.filter(account__in=list(accounts))
        .select_related("category", "account")
        .order_by("-created_at")
    )


def household_appeal(accounts: Iterable[Account], pk: int) -> Appeal:
    """An appeal of one of the resident's own accounts, or 404: other households' ids show nothing."""
    appeal = get_object_or_404(
        Appeal.objects.select_related("category", "account", "resident"), pk=pk, account__in=list(accounts)
    )
    return appeal


def conversation(appeal: Appeal) -> tuple[list, list]:
    """The appeal's own attachments and the replies both ways, oldest first, each reply with the
    files the resident added with it."""
    replies = appeal.replies.select_related("author").prefetch_related(
        Prefetch("attachments", queryset=AppealAttachment.objects.order_by("pk"))
    )
    return list(appeal.attachments.filter(reply=None)), list(replies)


def household_attachment(accounts: Iterable[Account], pk: int) -> AppealAttachment:
    return get_object_or_404(AppealAttachment, pk=pk, appeal__account__in=list(accounts))


def active_categories() -> QuerySet[AppealCategory]:
    return AppealCategory.objects.filter(is_active=True)


def category_named(name: str) -> AppealCategory | None:
    return AppealCategory.objects.filter(name=name, is_active=True).first()


def overdue(appeals: QuerySet[Appeal], *, now: datetime | None = None) -> QuerySet[Appeal]:
    """Open appeals without an answer past their term: the category's own (AppealCategory.
    answer_days), else the company's, counted from the day each came or was reopened — as
    Appeal.is_overdue says of one. One condition per term in use: categories are few."""
    now = now or timezone.now()
    terms = (
        AppealCategory.objects.filter(answer_days__gt=0)
        .values_list("answer_days", flat=True)
        .distinct()
        .order_by()
    )
    default = settings.APPEALS_ANSWER_LIMIT_DAYS
    late = (Q(category__answer_days=None) | Q(category__answer_days=0)) & Q(
        opened_at__lt=now - timedelta(days=default)
    )
    for days in terms:
        late |= Q(category__answer_days=days, opened_at__lt=now - timedelta(days=days))
    return (
        appeals.filter(status__in=Appeal.OPEN, answered_at=None)
        .alias(opened_at=Coalesce("reopened_at", "created_at"))
        .filter(late)
    )


def unanswered_messages(appeals: QuerySet[Appeal]) -> QuerySet[Appeal]:
    """Appeals where the resident wrote after the company's last answer."""
    return appeals.exclude(resident_wrote_at=None)
