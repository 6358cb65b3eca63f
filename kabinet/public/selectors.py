"""Reads for the public site's pages."""

import datetime
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone

from kabinet.core import caching, stamps

from .models import DisclosureDocument, NewsItem, Page


def published_news() -> QuerySet[NewsItem]:
    """News residents may see: published by staff, with a publication time already reached."""
    return NewsItem.objects.filter(is_published=True, published_at__lte=timezone.now())


LATEST_NEWS_KEY = "kept:public:latest_news"
LATEST_NEWS_KEPT = 5  # the overview shows three, the most anyone asks for here


def latest_news(*, limit: int = 3) -> list[NewsItem]:
    """The latest published news. Every overview shows them: with a shared cache they are kept
    there until a news item is saved or deleted, or an item dated later comes due."""
    return latest_news_until(limit=limit)[0]


def latest_news_until(*, limit: int = 3) -> tuple[list[NewsItem], datetime.datetime | None]:
    """The latest published news and when an item dated later comes due (for values kept with
    them; known with a shared cache only, where something is kept)."""
    if limit > LATEST_NEWS_KEPT or not caching.shared_cache():
        return list(published_news()[:limit]), None
    now = timezone.now()
    kept = caching.get(LATEST_NEWS_KEY)
    if kept is None or (kept[1] is not None and now >= kept[1]):
        items = list(published_news()[:LATEST_NEWS_KEPT])
        due = (
            NewsItem.objects.filter(is_published=True, published_at__gt=now)
            .order_by("published_at")
            .values_list("published_at", flat=True)
            .first()
        )
        kept = (items, due)
        cache.set(LATEST_NEWS_KEY, kept, caching.KEPT_SECONDS)
    return kept[0][:limit], kept[1]


def news_changed() -> None:
    """After news changed in bulk (an update sends no signals): the kept latest news and the
    kept pages showing them go (kabinet.core.stamps)."""
    caching.forget(LATEST_NEWS_KEY)
    stamps.changed(stamps.SITE)


def pages() -> QuerySet[Page]:
    return Page.objects.all()


@dataclass(frozen=True)
class DisclosureSection:
    code: str
    title: str
    documents: list[DisclosureDocument]


def disclosure_sections() -> list[DisclosureSection]:
    """Published documents grouped by section, sections in the order of the standard;
    sections without documents are left out."""
    documents = DisclosureDocument.objects.filter(is_published=True, published_at__lte=timezone.now())
    by_section: dict[str, list[DisclosureDocument]] = {}
    for document in documents:
        by_section.setdefault(document.section, []).append(document)
    return [
        DisclosureSection(code=code, title=title, documents=by_section[code])
        for code, title in DisclosureDocument.Section.choices
        if code in by_section
    ]
