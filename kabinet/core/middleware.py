import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from .clientip import client_ip, from_trusted_proxy
from .logs import request_context


class ContentSecurityPolicyMiddleware:
    """Content-Security-Policy on every response: scripts and styles only from our static files,
    so markup slipped into a page cannot run. Django 5.2 has no CSP of its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.CONTENT_SECURITY_POLICY:
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


SESSION_IDLE = "_kabinet_idle_seconds"
SESSION_SEEN = "_kabinet_seen_at"
IDLE_ENDED = "Вы долго не пользовались личным кабинетом, и вход завершился. Войдите снова."
SEEN_EVERY = 60  # seconds: the session is written at most once a minute, not on every page


def start_idle_clock(sender, request: HttpRequest, user, **kwargs) -> None:
    """At sign-in (user_logged_in): how long this session may stay unused."""
    minutes = settings.STAFF_IDLE_MINUTES if user.is_staff else settings.RESIDENT_IDLE_MINUTES
    if not minutes:
        return
    request.session[SESSION_IDLE] = minutes * 60
    request.session[SESSION_SEEN] = int(time.time())
    # The stored session and its cookie expire too, a minute after the idle limit at the latest.
    request.session.set_expiry(minutes * 60 + SEEN_EVERY)


class IdleSessionMiddleware:
    """A session unused for longer than its limit ends: a phone left signed in on a bus, a
    computer at the library. Read from the session alone, so pages without a user pay nothing."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        idle = request.session.get(SESSION_IDLE)
        if idle:
            now = int(time.time())
            seen = request.session.get(SESSION_SEEN, now)
            if now - seen > idle:
                logout(request)
                messages.info(request, IDLE_ENDED)
            elif now - seen >= SEEN_EVERY:
                request.session[SESSION_SEEN] = now
        return self.get_response(request)


REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
request_log = logging.getLogger("kabinet.requests")


class RequestLogMiddleware:
    """One JSON line per request (`kabinet.requests`), under a request id every other line of
    the request carries too. nginx's `$request_id` is taken from `X-Request-ID` when the request
    came through a trusted proxy (so the proxy's log and ours share it), else one is made.

    The URL is logged as its route (`registration/<str:token>/`), never as typed: paths carry
    the keys of status pages and delivery reports, query strings carry anything.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = self._request_id(request)
        request.request_id = request_id
        started = time.monotonic()
        with request_context(request_id):
            response = self.get_response(request)
            response.headers["X-Request-ID"] = request_id
            match = getattr(request, "resolver_match", None)
            user = getattr(request, "user", None)
            request_log.info(
                "request",
                extra={
                    "method": request.method,
                    "route": route_of(request),
                    "view": match.view_name if match else "",
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                    "ip": client_ip(request),
                    "user": _who(user),
                },
            )
        return response

    @staticmethod
    def _request_id(request: HttpRequest) -> str:
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        if given and REQUEST_ID.match(given) and from_trusted_proxy(request):
            return given
        return uuid.uuid4().hex


def route_of(request: HttpRequest) -> str:
    """The URL pattern that answered (`/registration/<str:token>/`), never the path as typed."""
    match = getattr(request, "resolver_match", None)
    return ("/" + match.route) if match else "-"


def _who(user) -> str:
    if user is None or not user.is_authenticated:
        return "anonymous"
    return f"staff:{user.pk}" if user.is_staff else f"resident:{user.pk}"
