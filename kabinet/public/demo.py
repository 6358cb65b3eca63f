"""Demo content for the public site: a few news items and disclosure documents.

Called by the project's demo-data command. Idempotent: each kind is created only while the
site has none, so a company's own content is never mixed with the samples.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .models import DisclosureDocument, NewsItem

Section = DisclosureDocument.Section


@dataclass(frozen=True)
class DemoResult:
    news_created: int
    documents_created: int


DEMO_NEWS = [
    # (days ago, slug, title, summary, body)
    (
        2,
        "pokazaniya-schetchikov",
        "Приём показаний приборов учёта с 15 по 25 число",
        "Показания можно передать в личном кабинете без звонков и визитов в офис.",
        "Напоминаем: показания приборов учёта воды, электроэнергии и тепла принимаются "
        "с 15 по 25 число каждого месяца.\n\n"
        "Передать их можно в личном кабинете, раздел «Показания приборов учёта». "
        "Показания, переданные позже 25 числа, будут учтены в следующем месяце.",
    ),
    (
        9,
        "otklyuchenie-goryachey-vody",
        "Плановое отключение горячей воды",
        "Ресурсоснабжающая организация проводит гидравлические испытания тепловых сетей.",
        "В связи с плановыми гидравлическими испытаниями тепловых сетей горячее водоснабжение "
        "будет временно отключено. Точные даты по вашему дому смотрите на информационных "
        "стендах в подъездах.\n\n"
        "Просим заранее запастись водой. Вопросы можно задать через личный кабинет "
        "или по телефону управляющей компании.",
    ),
    (
        21,
        "lichnyy-kabinet-zhitelya",
        "Открыт личный кабинет жителя",
        "Начисления, оплата, показания и обращения — в одном месте.",
        "Теперь вы можете оплачивать услуги без очередей и в любое удобное время — "
        "через личный кабинет. Для этого нужно пройти регистрацию: понадобится номер "
        "лицевого счёта из квитанции и мобильный телефон.\n\n"
        "Заявка на регистрацию обрабатывается от нескольких минут до трёх суток, после "
        "проверки на телефон придёт SMS с кодом подтверждения.",
    ),
]

DEMO_DOCUMENTS = [
    # (section, building, title, description)
    (
        Section.GENERAL,
        "",
        "Общая информация об управляющей организации",
        "Наименование, ИНН, ОГРН, адрес, режим работы и контактные телефоны, "
        "включая аварийно-диспетчерскую службу.",
    ),
    (
        Section.BUILDINGS,
        "",
        "Перечень многоквартирных домов в управлении",
        "Адреса домов, основания управления и даты начала управления.",
    ),
    (
        Section.MAINTENANCE,
        "ул. Садовая, д. 12",
        "Перечень работ и услуг по содержанию и ремонту общего имущества на текущий год",
        "Работы, их периодичность и стоимость на 1 м² общей площади помещения в месяц.",
    ),
    (
        Section.ANNUAL_REPORT,
        "",
        "Отчёт управляющей организации за прошлый год",
        "Выполненные работы, поступившие и израсходованные средства, задолженность собственников.",
    ),
]


@transaction.atomic
def load_demo_content() -> DemoResult:
    now = timezone.now()
    news_created = 0
    if not NewsItem.objects.exists():
        NewsItem.objects.bulk_create(
            NewsItem(
                slug=slug,
                title=title,
                summary=summary,
                body=body,
                published_at=now - timedelta(days=days_ago),
            )
            for days_ago, slug, title, summary, body in DEMO_NEWS
        )
        news_created = len(DEMO_NEWS)
    documents_created = 0
    if not DisclosureDocument.objects.exists():
        DisclosureDocument.objects.bulk_create(
            DisclosureDocument(section=section, building=building, title=title, description=description)
            for section, building, title, description in DEMO_DOCUMENTS
        )
        documents_created = len(DEMO_DOCUMENTS)
    return DemoResult(news_created=news_created, documents_created=documents_created)
