import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse


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
