"""The frame every cabinet page shares: who the resident is and which of their accounts is shown.

A cabinet view is written as `def view(request, cabinet: Cabinet, ...)` under `@cabinet_page`.
The account shown is chosen with `?account=<number>` on any cabinet page and remembered in the
session; a number that is not one of the resident's own accounts is a 404, so changing a number
or an id in a URL never shows another household's data.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import get_script_prefix, reverse

from kabinet.billing.models import Account

from . import selectors
from .models import Resident

SESSION_ACCOUNT = "cabinet_account"

# The cabinet's own menu, in the order of SPEC §4.
CABINET_MENU = [
    ("Обзор", "residents:cabinet"),
    ("Начисления", "billing:charges"),
    ("Квитанции", "billing:payment_documents"),
    ("Оплата", "payments:pay"),
    ("Показания приборов учёта", "meters:readings"),
    ("Обращения", "appeals:list"),
    ("Новости", "public:cabinet_news"),
    ("Профиль", "residents:profile"),
]


@dataclass(frozen=True)
class Cabinet:
    resident: Resident
    accounts: list[Account]
    account: Account | None


@functools.cache
def _menu_urls(script_prefix: str) -> list[tuple[str, str, bool]]:
    """(title, url, whether only the exact path is it) of the menu, reversed once per process."""
    return [(title, reverse(name), name == "residents:cabinet") for title, name in CABINET_MENU]


def _menu(path: str) -> list[dict]:
    items = []
    for title, url, exact in _menu_urls(get_script_prefix()):
        current = path == url if exact else path.startswith(url)
        items.append({"title": title, "url": url, "current": current})
    return items


def _chosen_account(request: HttpRequest, accounts: list[Account]) -> Account | None:
    number = request.GET.get("account")
    if number:
        account = next((a for a in accounts if a.number == number), None)
        if account is None:
            raise Http404  # not one of this resident's accounts
        remember_account(request, account)
        return account
    remembered = request.session.get(SESSION_ACCOUNT)
    return next((a for a in accounts if a.number == remembered), None) or next(iter(accounts), None)


def remember_account(request: HttpRequest, account: Account) -> None:
    # Written only when it changes: a session written back on every page is a database write
    # per page view (the readings page after each submission carries ?account=).
    if request.session.get(SESSION_ACCOUNT) != account.number:
        request.session[SESSION_ACCOUNT] = account.number


def cabinet_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        resident = getattr(request.user, "resident", None)
        if resident is None:
            return not_a_resident(request)
        return view(request, open_cabinet(request, resident), *args, **kwargs)

    return wrapper


def not_a_resident(request: HttpRequest) -> HttpResponse:
    """A staff user signed in on a cabinet page: the page says where staff work."""
    return render(request, "residents/staff_not_resident.html", status=403)


def open_cabinet(request: HttpRequest, resident: Resident) -> Cabinet:
    """The frame for a page of this resident's cabinet. A view that acts before it shows a page
    (a form's POST answered with a redirect) may open it only when it renders one."""
    accounts = list(selectors.resident_accounts(resident))
    cabinet = Cabinet(resident=resident, accounts=accounts, account=_chosen_account(request, accounts))
    request.cabinet = cabinet  # the frame template reads it through the context processor
    return cabinet


def cabinet_frame(request: HttpRequest) -> dict:
    """Context processor: the cabinet menu and account switcher for pages under `cabinet_page`."""
    cabinet = getattr(request, "cabinet", None)
    if cabinet is None:
        return {}
    return {"cabinet": cabinet, "cabinet_menu": _menu(request.path)}
