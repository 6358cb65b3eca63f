from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "kabinet.public"
    label = "public"
    verbose_name = "Сайт"

    def ready(self) -> None:
        from kabinet.core.caching import keep_until_saved

        from .models import NewsItem
        from .selectors import LATEST_NEWS_KEY

        keep_until_saved(NewsItem, key=LATEST_NEWS_KEY, every_page=True)
        from kabinet.core import stamps

        stamps.watch(NewsItem, stamps.site_rows)  # the overview shows the latest news
