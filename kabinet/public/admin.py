from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html

from kabinet.core import formats
from kabinet.core.backoffice import BackOfficeAdmin
from kabinet.core.formats import Noun

from .models import DisclosureDocument, NewsItem, Page


@admin.register(Page)
class PageAdmin(BackOfficeAdmin):
    noun = Noun("страница", "страницы", "страниц", accusative="страницу")
    list_display = ("title", "address_shown", "updated_at", "is_sample")
    list_filter = ("is_sample",)
    search_fields = ("title", "body", "slug")
    fields = ("title", "slug", "body", "updated_at")
    readonly_fields = ("updated_at", "address_shown")

    def get_fields(self, request, obj=None):
        # The menu links to the fixed pages by their address: it is shown, never edited.
        if obj is not None and obj.is_fixed:
            return ("title", "address_shown", "body", "updated_at")
        return self.fields

    def save_model(self, request, obj: Page, form, change) -> None:
        obj.is_sample = False  # saved by staff: the company's own text now
        super().save_model(request, obj, form, change)

    @admin.display(description="адрес на сайте", ordering="slug")
    def address_shown(self, obj: Page) -> str:
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.get_absolute_url())

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.is_fixed:
            return False
        return super().has_delete_permission(request, obj)


class NewsVisibilityFilter(admin.SimpleListFilter):
    title = "видна жителям"
    parameter_name = "visible"

    def lookups(self, request, model_admin):
        return [("now", "на сайте сейчас"), ("scheduled", "запланирована"), ("draft", "черновик")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "now":
            return queryset.filter(is_published=True, published_at__lte=now)
        if self.value() == "scheduled":
            return queryset.filter(is_published=True, published_at__gt=now)
        if self.value() == "draft":
            return queryset.filter(is_published=False)
        return queryset


@admin.register(NewsItem)
class NewsItemAdmin(BackOfficeAdmin):
    noun = Noun("новость", "новости", "новостей", accusative="новость")
    list_display = ("title", "published_at", "is_published", "visibility")
    list_filter = (NewsVisibilityFilter, "is_published", "published_at")
    search_fields = ("title", "summary", "body")
    search_help_text = "Слова из заголовка, краткого описания или текста новости."
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ("title",)}
    fieldsets = [
        (None, {"fields": ("title", "slug", "summary", "body")}),
        (
            "Публикация",
            {
                "fields": ("is_published", "published_at"),
                "description": "Новость видна на сайте и в личных кабинетах, когда отмечено «опубликована» "
                "и наступила дата публикации. Снимите отметку, чтобы сохранить черновик.",
            },
        ),
    ]
    actions = ["publish_now", "unpublish"]

    @admin.display(description="на сайте")
    def visibility(self, obj: NewsItem) -> str:
        if not obj.is_published:
            return "черновик"
        if obj.published_at > timezone.now():
            return f"появится {formats.short_date_time(obj.published_at)}"
        return "видна жителям"

    @admin.action(description="Опубликовать выбранные новости сейчас", permissions=["change"])
    def publish_now(self, request, queryset):
        count = queryset.update(is_published=True, published_at=timezone.now())
        self.message_user(request, f"Опубликовано новостей: {count}. Жители видят их на сайте и в кабинете.")

    @admin.action(description="Снять выбранные новости с публикации", permissions=["change"])
    def unpublish(self, request, queryset):
        count = queryset.update(is_published=False)
        self.message_user(request, f"Снято с публикации новостей: {count}. Жители их больше не видят.")


@admin.register(DisclosureDocument)
class DisclosureDocumentAdmin(BackOfficeAdmin):
    noun = Noun(
        "документ раскрытия информации",
        "документа раскрытия информации",
        "документов раскрытия информации",
        accusative="документ раскрытия информации",
    )
    list_display = ("title", "section", "building", "published_at", "is_published")
    list_filter = ("section", "is_published")
    search_fields = ("title", "description", "building")
    date_hierarchy = "published_at"
    fields = ("section", "building", "title", "description", "file", "published_at", "is_published")
