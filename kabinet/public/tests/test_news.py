import pytest
from django.urls import reverse

from .factories import NewsItemFactory


@pytest.mark.django_db
def test_news_list_shows_published_news_newest_first(client):
    NewsItemFactory(title="Старая новость", published_at="2025-01-10T10:00:00+03:00")
    NewsItemFactory(title="Новая новость", published_at="2025-03-10T10:00:00+03:00")

    response = client.get(reverse("public:news"))

    assert response.status_code == 200
    assert response.text.index("Новая новость") < response.text.index("Старая новость")
    assert "10 марта 2025" in response.text


@pytest.mark.django_db
def test_unpublished_and_future_news_are_not_listed(client):
    NewsItemFactory(title="Черновик новости", draft=True)
    NewsItemFactory(title="Новость на завтра", scheduled=True)

    for url in (reverse("public:news"), reverse("public:home")):
        text = client.get(url).text
        assert "Черновик новости" not in text
        assert "Новость на завтра" not in text


@pytest.mark.django_db
def test_unpublished_and_future_news_detail_pages_are_not_found(client):
    draft = NewsItemFactory(draft=True)
    scheduled = NewsItemFactory(scheduled=True)

    assert client.get(reverse("public:news_detail", args=[draft.slug])).status_code == 404
    assert client.get(reverse("public:news_detail", args=[scheduled.slug])).status_code == 404


@pytest.mark.django_db
def test_news_detail_shows_the_text_with_paragraphs_and_links(client):
    item = NewsItemFactory(body="Первый абзац.\n\nПодробнее на https://dom.gosuslugi.ru")

    response = client.get(reverse("public:news_detail", args=[item.slug]))

    assert response.status_code == 200
    assert "<p>Первый абзац.</p>" in response.text
    assert '<a href="https://dom.gosuslugi.ru"' in response.text


@pytest.mark.django_db
def test_news_text_with_html_is_shown_as_text(client):
    item = NewsItemFactory(body='<script>alert("x")</script>', title="<b>Заголовок</b>")

    response = client.get(reverse("public:news_detail", args=[item.slug]))

    assert "<script>alert" not in response.text
    assert "&lt;script&gt;" in response.text
    assert "<b>Заголовок</b>" not in response.text


@pytest.mark.django_db
def test_news_list_is_split_into_pages(client):
    for _ in range(12):
        NewsItemFactory()

    first = client.get(reverse("public:news"))
    second = client.get(reverse("public:news"), {"page": 2})

    assert len(first.context["page_obj"].object_list) == 10
    assert len(second.context["page_obj"].object_list) == 2
    assert "Страница 1 из 2" in first.text
