from django.db import models
from django.urls import reverse
from django.utils import timezone

# Pages the site menu links to by slug (kabinet.core.context_processors.MENU). Staff edit their
# text; the pages themselves are created by a data migration and must not disappear.
FIXED_PAGE_SLUGS = ("about", "tariffs", "norms", "contacts", "useful")


class Page(models.Model):
    """A page of the company site whose text staff edit in the back-office."""

    slug = models.SlugField(
        "адрес страницы",
        max_length=60,
        unique=True,
        help_text="Часть адреса в браузере: латинские буквы, цифры, дефис.",
    )
    title = models.CharField("заголовок", max_length=200)
    body = models.TextField(
        "текст",
        blank=True,
        help_text=(
            "Обычный текст. Пустая строка начинает новый абзац, адреса сайтов и электронной "
            "почты становятся ссылками сами. HTML-разметка показывается как текст."
        ),
    )
    updated_at = models.DateTimeField("изменена", auto_now=True)
    # The starting text Kabinet put there: residents read it as it is (it is written for them);
    # staff see a reminder to replace it. Saved by staff in the back-office, it is the company's.
    is_sample = models.BooleanField("текст-образец", default=False)

    class Meta:
        verbose_name = "страница"
        verbose_name_plural = "страницы"
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("public:page", args=[self.slug])

    @property
    def is_fixed(self) -> bool:
        return self.slug in FIXED_PAGE_SLUGS


class NewsItem(models.Model):
    """A company announcement. Residents see it once it is published and its time has come."""

    title = models.CharField("заголовок", max_length=200)
    slug = models.SlugField(
        "адрес новости",
        max_length=120,
        unique=True,
        help_text="Часть адреса в браузере: латинские буквы, цифры, дефис.",
    )
    published_at = models.DateTimeField(
        "дата публикации",
        default=timezone.now,
        help_text="Новость с будущей датой появится на сайте в этот момент.",
    )
    summary = models.CharField(
        "кратко", max_length=300, blank=True, help_text="Одна-две фразы для списка новостей."
    )
    body = models.TextField("текст", help_text="Обычный текст; пустая строка начинает новый абзац.")
    is_published = models.BooleanField("опубликована", default=True)

    class Meta:
        verbose_name = "новость"
        verbose_name_plural = "новости"
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["is_published", "published_at"], name="public_news_visible_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("public:news_detail", args=[self.slug])


class DisclosureDocument(models.Model):
    """A document published under the information disclosure standard
    (Постановление Правительства РФ №731, Приказ Минстроя России №882/пр)."""

    class Section(models.TextChoices):
        # The order here is the order of sections on the disclosure page.
        GENERAL = "general", "Общая информация об организации"
        BUILDINGS = "buildings", "Перечень многоквартирных домов в управлении"
        MAINTENANCE = "maintenance", "Работы и услуги по содержанию и ремонту общего имущества"
        UTILITIES = "utilities", "Коммунальные услуги и тарифы"
        COMMON_PROPERTY = "common_property", "Использование общего имущества"
        CAPITAL_REPAIR = "capital_repair", "Капитальный ремонт"
        MEETINGS = "meetings", "Общие собрания собственников"
        ANNUAL_REPORT = "annual_report", "Годовой отчёт"
        PENALTIES = "penalties", "Привлечение к административной ответственности"

    section = models.CharField("раздел", max_length=20, choices=Section.choices)
    building = models.CharField(
        "дом",
        max_length=300,
        blank=True,
        help_text="Адрес дома, если документ относится к одному дому. Пусто — ко всей организации.",
    )
    title = models.CharField("название", max_length=300)
    description = models.TextField("описание", blank=True)
    file = models.FileField("файл", upload_to="disclosure/%Y/", blank=True)
    published_at = models.DateTimeField("дата размещения", default=timezone.now)
    is_published = models.BooleanField("опубликован", default=True)

    class Meta:
        verbose_name = "документ раскрытия информации"
        verbose_name_plural = "раскрытие информации"
        ordering = ["section", "building", "-published_at", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def file_extension(self) -> str:
        """«PDF», «XLSX»… for the download link; empty without a file."""
        if not self.file:
            return ""
        _, dot, ext = self.file.name.rpartition(".")
        return ext.upper() if dot else ""
