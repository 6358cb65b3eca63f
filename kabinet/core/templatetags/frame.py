"""The site's header and footer on every page: {% load frame %}, {% site_header %}, {% site_footer %}.

A cabinet page is made afresh after every import, payment or reading, and the header and the
footer (the company's name, phones, address and hours, the menu) were about a tenth of such a
page's time in the template engine, though they change only when the company's record does.
Each is made by its template (core/site_header.html, core/site_footer.html) the first time a set
of values is seen, and kept in the process under those very values: a changed phone is another
key, so a page never shows an old one. The logout form's CSRF token, another on every response,
is put in afterwards.
"""

import functools
from types import SimpleNamespace

from django import template
from django.core.signals import setting_changed
from django.template.loader import get_template
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

HEADER_FIELDS = ("name", "phone", "emergency_phone", "emergency_hours")
FOOTER_FIELDS = ("name", "address", "working_hours")
# Stands for the token while the header is kept; letters only, so escaping leaves it as it is.
_TOKEN = "kabinetFrameCsrfTokenPlaceholder"
_TOKEN_INPUT = f'<input type="hidden" name="csrfmiddlewaretoken" value="{_TOKEN}">'


def _values(company, fields: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(getattr(company, name, "") or "" for name in fields)


@functools.lru_cache(maxsize=64)
def _header(company: tuple[str, ...], signed_in: bool, menu_items: str, urls: tuple) -> str:
    context = {
        "company": SimpleNamespace(**dict(zip(HEADER_FIELDS, company, strict=True))),
        "signed_in": signed_in,
        "menu_items": menu_items,
        "csrf_token": _TOKEN,
    }
    return get_template("core/site_header.html").render(context).strip()


@functools.lru_cache(maxsize=16)
def _footer(company: tuple[str, ...], urls: tuple) -> str:
    context = {"company": SimpleNamespace(**dict(zip(FOOTER_FIELDS, company, strict=True)))}
    return get_template("core/site_footer.html").render(context).strip()


@register.simple_tag(takes_context=True)
def site_header(context: template.Context) -> SafeString:
    user = context.get("user")
    signed_in = bool(user is not None and user.is_authenticated)
    html = _header(
        _values(context.get("company"), HEADER_FIELDS),
        signed_in,
        str(context.get("menu_items", "")),
        _urls(),
    )
    if signed_in:
        token = str(context.get("csrf_token", ""))
        # As {% csrf_token %}: no input at all where no token was made (a page without a request).
        html = html.replace(*((_TOKEN, token) if token and token != "NOTPROVIDED" else (_TOKEN_INPUT, "")))
    return mark_safe(html)  # made by the template, which escaped every value


@register.simple_tag(takes_context=True)
def site_footer(context: template.Context) -> SafeString:
    return mark_safe(_footer(_values(context.get("company"), FOOTER_FIELDS), _urls()))


def _urls() -> tuple:
    """What the addresses in the header and footer depend on besides their names."""
    return get_script_prefix(), get_urlconf()


def _forget(*, setting: str, **kwargs) -> None:
    """A test that swaps the URLs or the templates: the kept header and footer go too."""
    if setting in ("ROOT_URLCONF", "FORCE_SCRIPT_NAME", "INSTALLED_APPS", "TEMPLATES"):
        _header.cache_clear()
        _footer.cache_clear()


setting_changed.connect(_forget, dispatch_uid="kabinet_frame_kept")
