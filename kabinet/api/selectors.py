"""Reads of the API's own data: a resident's live tokens, what an app has not read yet."""

from django.db.models import Exists, OuterRef, QuerySet

from kabinet.appeals.models import Appeal, AppealReply
from kabinet.public.selectors import published_news
from kabinet.residents.models import Resident

from . import tokens
from .models import ApiToken, AppealRead


def live_tokens(resident: Resident) -> list[ApiToken]:
    """The tokens that still open the cabinet, newest first (a new password ended the others)."""
    mark = tokens.auth_mark(resident.user)
    return list(ApiToken.objects.filter(resident=resident, revoked_at=None, auth_mark=mark))


def resident_token(resident: Resident, pk: int) -> ApiToken | None:
    return (
        ApiToken.objects.filter(resident=resident, revoked_at=None, pk=pk)
        .select_related("resident__user")
        .first()
    )


def unread_news_count(token: ApiToken) -> int:
    news = published_news()
    if token.news_read_at is not None:
        news = news.filter(published_at__gt=token.news_read_at)
    return news.count()


def unread_answers(token: ApiToken, appeals: QuerySet[Appeal]) -> QuerySet[Appeal]:
    """The appeals with an operator's reply this app has not shown yet."""
    read_after = AppealRead.objects.filter(
        token=token, appeal=OuterRef("appeal_id"), read_at__gte=OuterRef("created_at")
    )
    replies = AppealReply.objects.filter(appeal=OuterRef("pk"), by_resident=False).exclude(text="")
    return appeals.filter(Exists(replies.filter(~Exists(read_after))))
