"""A resident writes an appeal with a photo, an operator answers in the back-office, the resident
reads the reply — in Chromium at 1280 and 390 px, every resident page checked by axe-core.

Screenshots land in screenshots/: look at them.
"""

import re

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from kabinet.appeals.models import Appeal
from kabinet.public.tests.factories import NewsItemFactory
from kabinet.testing_browser import (
    accessibility_violations,
    go_to_cabinet_section,
    shoot,
    sign_in_to_back_office,
)

from .conftest import EXE_BYTES, PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("published_policies"),
]


def looked_at(page, name: str) -> None:
    shoot(page, name)
    assert accessibility_violations(page) == [], name


def resident_logs_in(chromium, base: str, width: int):
    context = chromium.new_context(viewport={"width": width, "height": 900}, locale="ru-RU")
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.get_by_label("Логин").fill("1000123456")
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_text("Здравствуйте, Иванов Иван Иванович!")).to_be_visible()
    return context, page


def operator_answers(chromium, base: str, number: int, width: int, operator) -> None:
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="ru-RU")
    page = context.new_page()
    page.goto(f"{base}/admin/appeals/appeal/")
    sign_in_to_back_office(page, operator, "operator-pass-2026")
    expect(page.get_by_role("link", name=f"№{number}")).to_be_visible()
    shoot(page, f"admin-appeals-01-inbox-{width}")
    page.get_by_role("link", name=f"№{number}").click()
    expect(page.get_by_role("link", name="протечка.png")).to_be_visible()
    page.locator("select[name=status]").select_option(label="в работе")
    page.get_by_label("Ответ жителю").fill("Сантехник придёт завтра с 9 до 12. Пожалуйста, будьте дома.")
    shoot(page, f"admin-appeals-02-reply-{width}")
    page.get_by_role("button", name="Сохранить ответ и статус").click()
    expect(page.get_by_text(f"Обращение №{number}: ответ записан, статус «в работе»")).to_be_visible()
    shoot(page, f"admin-appeals-03-answered-{width}")
    context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_resident_writes_an_appeal_and_reads_the_operators_reply(
    chromium, live_server, company_with_email, ivanov, plumbing, operator, tmp_path, width
):
    picture = tmp_path / "протечка.png"
    Image.new("RGB", (320, 240), (40, 90, 160)).save(picture)
    program = tmp_path / "фото.jpg"
    program.write_bytes(EXE_BYTES)
    context, page = resident_logs_in(chromium, live_server.url, width)

    go_to_cabinet_section(page, "Обращения")
    looked_at(page, "appeals-01-list-empty")
    page.get_by_role("link", name="Новое обращение").click()
    expect(page.get_by_role("heading", name="Новое обращение")).to_be_visible()
    looked_at(page, "appeals-02-form")

    text = "Течёт стояк в ванной, на полу вода. Квартира 5, второй этаж."
    page.get_by_label("Тема обращения").select_option(label="Водоснабжение и канализация")
    page.get_by_label("Текст обращения").fill(text)
    page.get_by_label("Фотографии или документы").set_input_files([program])
    page.get_by_role("button", name="Отправить обращение").click()
    expect(page.locator(".field__error").get_by_text("«фото.jpg» — это программа")).to_be_visible()
    expect(page.get_by_label("Текст обращения")).to_have_value(text)
    looked_at(page, "appeals-03-program-refused")

    page.get_by_label("Фотографии или документы").set_input_files([picture])
    page.get_by_role("button", name="Отправить обращение").click()
    appeal = Appeal.objects.get()
    expect(page.get_by_text(f"Обращение №{appeal.pk} отправлено")).to_be_visible()
    expect(page.get_by_role("link", name="протечка.png")).to_be_visible()
    looked_at(page, "appeals-04-sent")

    page.get_by_role("link", name="← Все обращения").click()
    item = page.locator(".appeal-list__item")
    expect(item).to_contain_text(f"Обращение №{appeal.pk}")
    expect(item).to_contain_text("Новое")
    looked_at(page, "appeals-05-list")

    operator_answers(chromium, live_server.url, appeal.pk, width, operator)

    item.get_by_role("link").click()
    expect(page.get_by_text("Сантехник придёт завтра с 9 до 12.")).to_be_visible()
    expect(page.locator(".facts .status")).to_have_text("В работе")
    looked_at(page, "appeals-06-reply")
    context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_resident_reads_company_news_in_the_cabinet(chromium, live_server, company, ivanov, width):
    NewsItemFactory(
        title="Плановое отключение горячей воды",
        summary="Гидравлические испытания тепловых сетей.",
        body="Горячую воду отключат на три дня.\n\nПодробности — на стендах в подъездах.",
        published_at=timezone.now() - timezone.timedelta(days=1),
    )
    NewsItemFactory(title="Приём показаний с 15 по 25 число")
    context, page = resident_logs_in(chromium, live_server.url, width)

    card = page.locator("section", has=page.get_by_role("heading", name="Новости"))
    expect(card.get_by_role("link", name="Плановое отключение горячей воды")).to_be_visible()
    looked_at(page, "news-01-cabinet-card")
    go_to_cabinet_section(page, "Новости")
    expect(page).to_have_url(re.compile(r"/cabinet/news/$"))
    looked_at(page, "news-02-cabinet-list")
    page.get_by_role("link", name="Плановое отключение горячей воды").click()
    expect(page.get_by_text("Горячую воду отключат на три дня.")).to_be_visible()
    looked_at(page, "news-03-cabinet-item")
    context.close()
