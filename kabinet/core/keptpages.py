"""Kept pages: a signed-in user's page kept as rendered and served again, without a database
query or a template, while nothing it shows has changed (the stamps of kabinet.core.stamps).

A page is kept per user, path, the variant the view names (the account shown) and the query
parameters it allows, until the end of the day (the reading window, «до …» dates) or an earlier
moment the view names (`until`: a news item coming due). The form token differs per browser: the
page is rendered with a marker in its place, and each answer gets its own request's token. A page
with messages to show, a request with other parameters, anything but a plain 200 HTML answer
is never kept.
"""

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone

from . import stamps
from .caching import shared_cache

CSRF_MARKER = "kept-page-csrf-token-marker"
_MARKER = CSRF_MARKER.encode()
_TOKEN_FIELD = b'name="csrfmiddlewaretoken"'
_PARAM = re.compile(r"^[\w.-]{0,32}$")
_MESSAGES_SESSION_KEY = "_messages"  # django.contrib.messages' session storage


@dataclass
class Miss:
    """A page to render and keep: the stamps were read before anything it shows."""

    key: str
    stamps: dict[str, int | None]
    until: float

    def keep(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if _keepable(response):
            stamps.keep(self.key, (response.content, response["Content-Type"]), self.stamps, until=self.until)
        if not response.streaming and _MARKER in response.content:
            response.content = response.content.replace(_MARKER, get_token(request).encode())
        return response


def lookup(request: HttpRequest, *, key: str | None, names: list[str]):
    """The page kept under `key` (`page_key`) as an answer; else a `Miss` to render and keep (set
    on the request, so that the form token is rendered as the marker); None for no key."""
    if key is None:
        return None
    value, current = stamps.lookup(key, names)
    if value is not None:
        body, content_type = value
        return HttpResponse(body.replace(_MARKER, get_token(request).encode()), content_type=content_type)
    miss = Miss(key=key, stamps=current, until=_end_of_day())
    request.kept_page = miss
    return miss


def until(request: HttpRequest, when: datetime.datetime | None) -> None:
    """The page being kept stops being true by itself at `when` (None: not by itself)."""
    miss = getattr(request, "kept_page", None)
    if miss is not None and when is not None:
        miss.until = min(miss.until, when.timestamp())


def csrf_marker(request: HttpRequest) -> dict:
    """For a context processor: the form token's marker in a page being kept."""
    return {"csrf_token": CSRF_MARKER} if getattr(request, "kept_page", None) is not None else {}


def page_key(request: HttpRequest, *, user_id: object, variant: str, params: tuple[str, ...]) -> str | None:
    """Where the page of this request is kept: per user, path, the view's `variant` and the
    query `params` it allows; None when it is not to be kept (other parameters, messages)."""
    if request.method != "GET" or not settings.KEEP_PAGES or not shared_cache() or _messages_waiting(request):
        return None
    query = []
    for name, values in request.GET.lists():
        if name not in params or len(values) != 1 or not _PARAM.match(values[0]):
            return None
        query.append(f"{name}={values[0]}")
    return f"page:{user_id}:{request.path}:{variant}:{'&'.join(sorted(query))}"


def _messages_waiting(request: HttpRequest) -> bool:
    cookie = getattr(settings, "MESSAGE_COOKIE_NAME", "messages")
    return cookie in request.COOKIES or _MESSAGES_SESSION_KEY in request.session


def _keepable(response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if not response.get("Content-Type", "").startswith("text/html"):
        return False
    # Every form token must be the marker: a real one would go to the user's other browsers.
    return response.content.count(_TOKEN_FIELD) == response.content.count(_MARKER)


def _end_of_day() -> float:
    tomorrow = timezone.localtime() + datetime.timedelta(days=1)
    return tomorrow.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
