import functools

from django.http import HttpRequest
from django.urls import get_script_prefix, reverse

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
def menu_urls(script_prefix: str) -> list[tuple[str, str]]:
    """(title, url) of the menu: the same for every page of a process (reversed once per prefix)."""
    return [(title, _url(target)) for title, target in MENU]


def site(request: HttpRequest) -> dict:
    path = request.path
    menu = []
    for title, url in menu_urls(get_script_prefix()):
        current = path == url if url == "/" else path.startswith(url)
        menu.append({"title": title, "url": url, "current": current})
    return {"company": Company.load(), "menu": menu}
