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

from django.contrib.auth import SESSION_KEY
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import get_script_prefix, reverse

from kabinet.billing.models import Account
from kabinet.core import keptpages, stamps
from kabinet.core.context_processors import menu_items

from . import selectors
from .auth import kept_user_key
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
def _menu_urls(script_prefix: str) -> tuple[tuple[str, str, bool], ...]:
    """(title, url, whether only the exact path is it) of the menu, reversed once per process."""
    return tuple((title, reverse(name), name == "residents:cabinet") for title, name in CABINET_MENU)


def _menu(path: str) -> dict:
    """The cabinet menu's items (its current section marked) and the current section's title."""
    links = _menu_urls(get_script_prefix())
    current = tuple(path == url if exact else path.startswith(url) for _, url, exact in links)
    section = next((title for (title, _, _), here in zip(links, current, strict=True) if here), "")
    return {"cabinet_menu_items": menu_items(_menu_links(links), current), "cabinet_section": section}


@functools.cache
def _menu_links(links: tuple[tuple[str, str, bool], ...]) -> tuple[tuple[str, str], ...]:
    return tuple((title, url) for title, url, _ in links)


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


def cabinet_page(
    view: Callable[..., HttpResponse] | None = None,
    *,
    kept: tuple[str, ...] | None = None,
    unless_session: tuple[str, ...] = (),
):
    """A cabinet view. `kept`: the page is kept and served again while nothing it shows changed
    (kabinet.core.keptpages), for GET requests with only these query parameters and none of the
    session keys `unless_session` (what the page shows once from the session)."""
    if view is None:
        return functools.partial(cabinet_page, kept=kept, unless_session=unless_session)

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        resident = getattr(request.user, "resident", None)
        if resident is None:
            return not_a_resident(request)
        miss = None
        if kept is not None:
            miss = _kept_page(request, kept, unless_session)
            if isinstance(miss, HttpResponse):
                return miss
        cabinet = open_cabinet(request, resident)
        response = view(request, cabinet, *args, **kwargs)
        return response if miss is None else miss.keep(request, response)

    if kept is None:
        return wrapper

    @wraps(view)
    def prefetching(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # The signed-in user and the kept page are looked up one after the other: read in one
        # round trip to the cache (the user id from the session; the page is served only to it).
        user_id = request.session.get(SESSION_KEY)
        if user_id is None:
            return wrapper(request, *args, **kwargs)
        key = _kept_page_key(request, user_id, kept, unless_session)
        with stamps.prefetched([kept_user_key(user_id), *([key] if key else [])], _kept_stamps(user_id)):
            return wrapper(request, *args, **kwargs)

    return prefetching


def _kept_stamps(user_id: object) -> list[str]:
    # The user's stamp covers the resident, its accounts and what they show (kabinet.core.stamps).
    return [stamps.BILLING, stamps.SITE, stamps.user(user_id)]


def _kept_page_key(
    request: HttpRequest, user_id: object, params: tuple[str, ...], unless_session: tuple[str, ...]
) -> str | None:
    """The account shown is the one the session names (a kept page is made by the view, which
    checked it is the resident's own); none kept while an account is being chosen."""
    if "account" in request.GET:
        return None  # the view checks the number and remembers it
    if any(key in request.session for key in unless_session):
        return None
    variant = request.session.get(SESSION_ACCOUNT) or "-"
    return keptpages.page_key(request, user_id=user_id, variant=variant, params=params)


def _kept_page(request: HttpRequest, params: tuple[str, ...], unless_session: tuple[str, ...]):
    """The page as kept, or a miss to keep it."""
    key = _kept_page_key(request, request.user.pk, params, unless_session)
    return keptpages.lookup(request, key=key, names=_kept_stamps(request.user.pk))


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
    # A page being kept gets the form token's marker; each answer gets its own token.
    return {"cabinet": cabinet, **_menu(request.path), **keptpages.csrf_marker(request)}
