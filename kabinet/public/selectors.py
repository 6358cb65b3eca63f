"""Reads for the public site's pages."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from .models import DisclosureDocument, NewsItem, Page


def published_news() -> QuerySet[NewsItem]:
    """News residents may see: published by staff, with a publication time already reached."""
    return NewsItem.objects.filter(is_published=True, published_at__lte=timezone.now())


def latest_news(*, limit: int = 3) -> list[NewsItem]:
    return list(published_news()[:limit])


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
