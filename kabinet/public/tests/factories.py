from datetime import timedelta

import factory
from django.utils import timezone

from kabinet.public.models import DisclosureDocument, NewsItem, Page


class PageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Page

    slug = factory.Sequence(lambda n: f"page-{n}")
    title = factory.Sequence(lambda n: f"Страница {n}")
    body = "Текст страницы."


class NewsItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NewsItem

    title = factory.Sequence(lambda n: f"Новость {n}")
    slug = factory.Sequence(lambda n: f"news-{n}")
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    summary = "Кратко о новости."
    body = "Текст новости."
    is_published = True

    class Params:
        draft = factory.Trait(is_published=False)
        scheduled = factory.Trait(
            published_at=factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
        )


class DisclosureDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DisclosureDocument

    section = DisclosureDocument.Section.GENERAL
    title = factory.Sequence(lambda n: f"Документ {n}")
    description = "Описание документа."
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    is_published = True
