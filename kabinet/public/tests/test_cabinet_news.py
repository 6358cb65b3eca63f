from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kabinet.core.models import User
from kabinet.public.models import NewsItem
from kabinet.residents.models import Resident, ResidentAccount

from .factories import NewsItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident(company, ivanov_account) -> Resident:
    user = User.objects.create_user("1000123456", password="Sunflower-Tver-1961")
    resident = Resident.objects.create(user=user, full_name="Иванов Иван Иванович", phone="+79123456789")
    ResidentAccount.objects.create(resident=resident, account=ivanov_account)
    return resident


def test_cabinet_news_needs_login(client, company):
    response = client.get(reverse("public:cabinet_news"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("residents:login"))


def test_cabinet_news_lists_published_news_newest_first_inside_the_cabinet(client, resident):
    NewsItemFactory(title="Старая новость", published_at=timezone.now() - timedelta(days=5))
    NewsItemFactory(title="Свежая новость", published_at=timezone.now() - timedelta(hours=2))
    NewsItemFactory(title="Черновик новости", draft=True)
    NewsItemFactory(title="Новость на завтра", scheduled=True)
    client.force_login(resident.user)

    html = client.get(reverse("public:cabinet_news")).text

    assert html.index("Свежая новость") < html.index("Старая новость")
    assert "Черновик новости" not in html and "Новость на завтра" not in html
    assert 'aria-label="Разделы личного кабинета"' in html
    assert 'href="/cabinet/news/" aria-current="page"' in html


def test_cabinet_news_is_paginated(client, resident):
    for n in range(12):
        NewsItemFactory(title=f"Новость номер {n:02d}", published_at=timezone.now() - timedelta(days=n))
    client.force_login(resident.user)

    first = client.get(reverse("public:cabinet_news")).text
    second = client.get(reverse("public:cabinet_news"), {"page": 2}).text

    assert "Новость номер 00" in first and "Новость номер 11" not in first
    assert "Страница 1 из 2" in first
    assert "Новость номер 11" in second and "Новость номер 00" not in second


def test_news_item_opens_its_text_in_the_cabinet(client, resident):
    item = NewsItemFactory(title="Собрание собственников", body="Собрание пройдёт во дворе.\n\nПриходите.")
    client.force_login(resident.user)

    html = client.get(reverse("public:cabinet_news")).text
    page = client.get(reverse("public:cabinet_news_detail", args=[item.slug])).text

    assert f'href="/cabinet/news/{item.slug}/"' in html
    assert "<p>Собрание пройдёт во дворе.</p>" in page
    assert 'aria-label="Разделы личного кабинета"' in page


def test_draft_news_item_is_not_found_in_the_cabinet(client, resident):
    draft = NewsItemFactory(draft=True)
    client.force_login(resident.user)

    assert client.get(reverse("public:cabinet_news_detail", args=[draft.slug])).status_code == 404


def test_cabinet_overview_has_a_news_card_with_the_latest_three(client, resident):
    for n in range(4):
        NewsItemFactory(title=f"Объявление {n}", published_at=timezone.now() - timedelta(days=n))
    client.force_login(resident.user)

    html = client.get(reverse("residents:cabinet")).text

    card = html[html.index('id="news-card-title"') :]
    assert all(f"Объявление {n}" in card for n in range(3))
    assert "Объявление 3" not in card
    assert 'href="/cabinet/news/"' in card


def test_news_admin_shows_whether_residents_see_each_item(admin_client):
    NewsItemFactory(title="Видимая")
    NewsItemFactory(title="Черновик", draft=True)
    NewsItemFactory(title="Будущая", scheduled=True)
    url = reverse("admin:public_newsitem_changelist")

    def titles(**params):
        return sorted(i.title for i in admin_client.get(url, params).context["cl"].result_list)

    assert titles(visible="now") == ["Видимая"]
    assert titles(visible="draft") == ["Черновик"]
    assert titles(visible="scheduled") == ["Будущая"]
    html = admin_client.get(url).text
    assert "видна жителям" in html and "черновик" in html and "появится" in html


def test_news_admin_publishes_selected_drafts_now_and_says_so(admin_client):
    draft = NewsItemFactory(title="Черновик", draft=True, published_at=timezone.now() + timedelta(days=3))

    response = admin_client.post(
        reverse("admin:public_newsitem_changelist"),
        {"action": "publish_now", "_selected_action": [draft.pk]},
        follow=True,
    )

    draft.refresh_from_db()
    assert draft.is_published and draft.published_at <= timezone.now()
    assert "Опубликовано новостей: 1" in response.text


def test_news_admin_unpublishes_selected(admin_client):
    item = NewsItemFactory()

    admin_client.post(
        reverse("admin:public_newsitem_changelist"), {"action": "unpublish", "_selected_action": [item.pk]}
    )

    assert not NewsItem.objects.get(pk=item.pk).is_published
