import functools

from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

from .models import Company

# The menu of the company sites the seed shows; the pages behind it are edited in the back-office.
MENU = [
    ("Главная", "public:home"),
    ("О компании", ("public:page", "about")),
    ("Новости", "public:news"),
    ("Тарифы и услуги", ("public:page", "tariffs")),
    ("Нормативы", ("public:page", "norms")),
    ("Контакты", ("public:page", "contacts")),
    ("Полезное", ("public:page", "useful")),
    ("Раскрытие информации", "public:disclosure"),
    ("Личный кабинет", "residents:cabinet"),
]


def _url(target: str | tuple[str, str]) -> str:
    if isinstance(target, tuple):
        return reverse(target[0], args=[target[1]])
    return reverse(target)


@functools.cache
def menu_urls(script_prefix: str) -> tuple[tuple[str, str], ...]:
    """(title, url) of the menu: the same for every page of a process (reversed once per prefix)."""
    return tuple((title, _url(target)) for title, target in MENU)


@functools.cache
def frame_static(script_prefix: str) -> dict[str, str]:
    """The static files every page's head names, by their hashed names: looked up once per
    process (they are fixed until the next deployment restarts it)."""
    return {
        "favicon": static("core/favicon.svg"),
        "css": static("core/site.css"),
        "js": static("core/site.js"),
    }


@functools.lru_cache(maxsize=128)
def menu_items(links: tuple[tuple[str, str], ...], current: tuple[bool, ...]) -> SafeString:
    """The list items of a menu of (title, url) links, the current ones marked: made once per
    process and current item (a loop in the template cost every page about a third of a
    millisecond). The site's menu and the cabinet's both."""
    return format_html_join(
        "",
        '<li><a href="{}"{}>{}</a></li>',
        (
            (url, mark_safe(' aria-current="page"') if here else "", title)
            for (title, url), here in zip(links, current, strict=True)
        ),
    )


def site(request: HttpRequest) -> dict:
    path, prefix = request.path, get_script_prefix()
    menu = []
    for title, url in menu_urls(prefix):
        current = path == url if url == "/" else path.startswith(url)
        menu.append({"title": title, "url": url, "current": current})
    return {
        "company": Company.load(),
        "menu": menu,
        "menu_items": menu_items(menu_urls(prefix), tuple(item["current"] for item in menu)),
        "frame_static": frame_static(prefix),
    }
