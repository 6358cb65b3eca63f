import pytest
from django.urls import reverse

from kabinet.public.demo import load_demo_content
from kabinet.public.models import DisclosureDocument, NewsItem

from .factories import NewsItemFactory


@pytest.mark.django_db
def test_demo_content_creates_news_and_disclosure_documents(client):
    result = load_demo_content()

    assert (result.news_created, result.documents_created) == (3, 4)
    assert len(client.get(reverse("public:home")).context["news"]) == 3
    assert len(client.get(reverse("public:disclosure")).context["sections"]) == 4


@pytest.mark.django_db
def test_demo_content_loads_only_once():
    load_demo_content()
    again = load_demo_content()

    assert (again.news_created, again.documents_created) == (0, 0)
    assert NewsItem.objects.count() == 3
    assert DisclosureDocument.objects.count() == 4


@pytest.mark.django_db
def test_demo_news_are_not_added_to_the_company_own_news():
    NewsItemFactory()

    result = load_demo_content()

    assert result.news_created == 0
    assert NewsItem.objects.count() == 1
    assert result.documents_created == 4
