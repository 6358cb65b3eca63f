"""Reads for the cabinet's appeal pages and the back-office inbox."""

from collections.abc import Iterable

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from kabinet.billing.models import Account

from .models import Appeal, AppealAttachment, AppealCategory


def account_appeals(account: Account) -> QuerySet[Appeal]:
    return (
        Appeal.objects.filter(account=account)
        .select_related("category")
        .annotate(reply_count=Count("replies"))
    )


def household_appeal(accounts: Iterable[Account], pk: int) -> Appeal:
    """An appeal of one of the resident's own accounts, or 404: other households' ids show nothing."""
    appeal = get_object_or_404(
        Appeal.objects.select_related("category", "account", "resident"), pk=pk, account__in=list(accounts)
    )
    return appeal


def conversation(appeal: Appeal) -> tuple[list, list]:
    """The attachments and the replies of an appeal, oldest reply first."""
    return list(appeal.attachments.all()), list(appeal.replies.select_related("author"))


def household_attachment(accounts: Iterable[Account], pk: int) -> AppealAttachment:
    return get_object_or_404(AppealAttachment, pk=pk, appeal__account__in=list(accounts))


def active_categories() -> QuerySet[AppealCategory]:
    return AppealCategory.objects.filter(is_active=True)


def category_named(name: str) -> AppealCategory | None:
    return AppealCategory.objects.filter(name=name, is_active=True).first()
