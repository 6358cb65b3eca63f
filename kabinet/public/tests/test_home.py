import pytest
from django.urls import reverse

from .factories import NewsItemFactory

BANNER = (
    "Вы можете оплачивать услуги без очередей и в любое удобное для Вас время — через личный "
    "кабинет, для этого нужно пройти регистрацию."
)
MENU = [
    "Главная",
    "О компании",
    "Новости",
    "Тарифы и услуги",
    "Нормативы",
    "Контакты",
    "Полезное",
    "Раскрытие информации",
    "Личный кабинет",
]


@pytest.mark.django_db
def test_home_page_shows_the_banner_with_a_registration_button(client):
    response = client.get(reverse("public:home"))

    assert response.status_code == 200
    assert BANNER in response.text
    assert "Пройти регистрацию" in response.text
    assert 'class="card banner' in response.text


@pytest.mark.django_db
def test_home_page_login_box_has_the_seed_labels_and_links(client):
    response = client.get(reverse("public:home"))
    text = response.text

    assert "Вход в личный кабинет" in text
    assert f'action="{reverse("residents:login")}"' in text
    assert "Логин" in text
    assert "Логин обычно совпадает с номером лицевого счета" in text
    assert "Пароль" in text
    assert 'name="username"' in text and 'name="password"' in text
    assert "Войти" in text
    assert f'href="{reverse("residents:password_reset")}">Забыли пароль?</a>' in text
    assert f'href="{reverse("residents:register")}">Регистрация</a>' in text


@pytest.mark.django_db
def test_login_hint_is_tied_to_the_login_field_for_screen_readers(client):
    response = client.get(reverse("public:home"))

    assert 'aria-describedby="id_username_helptext"' in response.text
    assert 'id="id_username_helptext"' in response.text


@pytest.mark.django_db
def test_logged_in_user_sees_a_link_to_the_cabinet_instead_of_the_form(client, django_user_model):
    user = django_user_model.objects.create_user(username="1000123456", password="x", first_name="Анна")
    client.force_login(user)

    response = client.get(reverse("public:home"))

    assert 'name="password"' not in response.text
    assert "Вы вошли как" in response.text
    assert f'href="{reverse("residents:cabinet")}"' in response.text


@pytest.mark.django_db
def test_menu_shows_all_nine_items_in_order(client):
    response = client.get(reverse("public:home"))
    text = response.text

    positions = [text.index(f">{title}</a>") for title in MENU]
    assert positions == sorted(positions)


@pytest.mark.django_db
def test_every_menu_item_leads_to_a_page(client):
    response = client.get(reverse("public:home"))

    for item in response.context["menu"][:-1]:  # the last one, the cabinet, belongs to residents
        assert client.get(item["url"]).status_code == 200, item["title"]


@pytest.mark.django_db
def test_home_page_shows_the_three_latest_news(client):
    for n in range(4):
        NewsItemFactory(title=f"Новость номер {n}")
    newest = NewsItemFactory(title="Самая свежая новость")

    response = client.get(reverse("public:home"))

    assert newest.title in response.text
    assert len(response.context["news"]) == 3


@pytest.mark.django_db
def test_home_page_explains_how_to_register_in_steps(client):
    response = client.get(reverse("public:home"))

    assert "Как зарегистрироваться" in response.text
    assert '<ol class="steps">' in response.text
    assert "номер лицевого счёта" in response.text
    assert "SMS с кодом подтверждения" in response.text


@pytest.mark.django_db
def test_home_page_login_field_does_not_grab_the_focus(client):
    response = client.get(reverse("public:home"))

    assert "autofocus" not in response.text
