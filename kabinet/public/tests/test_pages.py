import pytest
from django.urls import reverse

from kabinet.core.models import Company
from kabinet.public.models import FIXED_PAGE_SLUGS, Page

from .factories import PageFactory


@pytest.mark.django_db
def test_fixed_menu_pages_exist_after_migrations():
    pages = dict(Page.objects.filter(slug__in=FIXED_PAGE_SLUGS).values_list("slug", "title"))

    assert pages == {
        "about": "О компании",
        "tariffs": "Тарифы и услуги",
        "norms": "Нормативы",
        "contacts": "Контакты",
        "useful": "Полезное",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("slug", FIXED_PAGE_SLUGS)
def test_fixed_page_opens_with_its_title(client, slug):
    page = Page.objects.get(slug=slug)

    response = client.get(reverse("public:page", args=[slug]))

    assert response.status_code == 200
    assert f"<h1>{page.title}</h1>" in response.text


@pytest.mark.django_db
def test_menu_marks_the_current_page(client):
    response = client.get(reverse("public:page", args=["tariffs"]))

    assert 'aria-current="page">Тарифы и услуги</a>' in response.text


@pytest.mark.django_db
def test_unknown_page_is_not_found(client):
    assert client.get("/no-such-page/").status_code == 404


@pytest.mark.django_db
def test_page_created_by_staff_opens_at_its_slug(client):
    PageFactory(slug="kapremont", title="Капитальный ремонт", body="График работ.")

    response = client.get("/kapremont/")

    assert response.status_code == 200
    assert "График работ." in response.text


@pytest.mark.django_db
def test_staff_edited_page_text_with_script_is_escaped(client):
    Page.objects.filter(slug="about").update(body='Мы <script>alert("x")</script> работаем.')

    response = client.get(reverse("public:page", args=["about"]))

    assert "<script>alert" not in response.text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in response.text


@pytest.mark.django_db
def test_page_text_keeps_paragraphs_and_makes_links(client):
    Page.objects.filter(slug="useful").update(body="Первый.\n\nВторой: info@example.ru")

    response = client.get(reverse("public:page", args=["useful"]))

    assert "<p>Первый.</p>" in response.text
    assert 'href="mailto:info@example.ru"' in response.text


@pytest.mark.django_db
def test_contacts_page_shows_the_company_details(client):
    company = Company.load()
    company.phone = "+7 (812) 123-45-67"
    company.working_hours = "Пн–Пт 9:00–18:00"
    company.save()

    response = client.get(reverse("public:page", args=["contacts"]))

    assert "+7 (812) 123-45-67" in response.text
    assert "Пн–Пт 9:00–18:00" in response.text
