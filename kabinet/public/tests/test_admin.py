import pytest
from django.urls import reverse

from kabinet.public.models import Page

from .factories import DisclosureDocumentFactory, NewsItemFactory, PageFactory


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["page", "newsitem", "disclosuredocument"])
def test_admin_list_opens_for_a_superuser(admin_client, model):
    response = admin_client.get(reverse(f"admin:public_{model}_changelist"))

    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["page", "newsitem", "disclosuredocument"])
def test_admin_add_form_opens_for_a_superuser(admin_client, model):
    assert admin_client.get(reverse(f"admin:public_{model}_add")).status_code == 200


@pytest.mark.django_db
def test_admin_news_search_finds_by_title(admin_client):
    NewsItemFactory(title="Отключение горячей воды")
    NewsItemFactory(title="Собрание собственников")

    response = admin_client.get(reverse("admin:public_newsitem_changelist"), {"q": "горячей"})

    assert [item.title for item in response.context["cl"].result_list] == ["Отключение горячей воды"]


@pytest.mark.django_db
def test_admin_page_search_finds_by_text(admin_client):
    PageFactory(title="Капитальный ремонт", body="Взносы на капремонт")

    response = admin_client.get(reverse("admin:public_page_changelist"), {"q": "капремонт"})

    assert [page.title for page in response.context["cl"].result_list] == ["Капитальный ремонт"]


@pytest.mark.django_db
def test_admin_disclosure_search_finds_by_building(admin_client):
    DisclosureDocumentFactory(title="Отчёт", building="ул. Садовая, д. 12")
    DisclosureDocumentFactory(title="Реквизиты")

    response = admin_client.get(reverse("admin:public_disclosuredocument_changelist"), {"q": "Садовая"})

    assert [doc.title for doc in response.context["cl"].result_list] == ["Отчёт"]


@pytest.mark.django_db
def test_fixed_menu_page_can_be_edited_but_not_deleted(admin_client):
    about = Page.objects.get(slug="about")

    change = admin_client.get(reverse("admin:public_page_change", args=[about.pk]))
    delete = admin_client.post(reverse("admin:public_page_delete", args=[about.pk]), {"post": "yes"})

    assert change.status_code == 200
    assert delete.status_code == 403
    assert Page.objects.filter(slug="about").exists()


@pytest.mark.django_db
def test_fixed_menu_pages_survive_the_bulk_delete_action(admin_client):
    pks = list(Page.objects.values_list("pk", flat=True))

    admin_client.post(
        reverse("admin:public_page_changelist"),
        {"action": "delete_selected", "_selected_action": pks, "post": "yes"},
    )

    assert Page.objects.count() == len(pks)


@pytest.mark.django_db
def test_extra_page_can_be_deleted(admin_client):
    extra = PageFactory()

    admin_client.post(reverse("admin:public_page_delete", args=[extra.pk]), {"post": "yes"})

    assert not Page.objects.filter(pk=extra.pk).exists()


@pytest.mark.django_db
def test_fixed_page_slug_cannot_be_changed_in_admin(admin_client):
    about = Page.objects.get(slug="about")

    admin_client.post(
        reverse("admin:public_page_change", args=[about.pk]),
        {"title": "О нас", "menu_title": "", "slug": "o-nas", "body": "Новый текст"},
    )

    about.refresh_from_db()
    assert (about.slug, about.title, about.body) == ("about", "О нас", "Новый текст")
