"""Passwords are checked only within the limits: every form that takes one goes through here.

Each attempt is counted first, per login as typed, per holder (the cabinet or member of staff
behind it, so that all their account numbers and their phone share one count) and per IP; only
an attempt within every limit reaches the password hasher. A right password gives its count
back and forgets the failures of its login and holder; a wrong one keeps them.
"""

from collections.abc import Callable

from django import forms
from django.contrib.auth import get_user_model
from django.http import HttpRequest

from . import normalize, ratelimit
from .clientip import client_ip
from .signals import login_locked

FORGET_ON_SUCCESS = ("login_account", "login_holder")


def holder_of_username(username: str) -> str:
    """The member of staff a username names: «user:<id>», or "" when there is none."""
    user_id = get_user_model()._default_manager.filter(username=username).values_list("pk", flat=True).first()
    return f"user:{user_id}" if user_id else ""


def identities(*, request: HttpRequest | None, login: str, holder: str) -> list[tuple[str, str]]:
    ip = (client_ip(request) if request is not None else None) or "-"
    return [("login_ip", ip), ("login_account", normalize.login_key(login)), ("login_holder", holder)]


def guarded(check: Callable[[], object], *, request: HttpRequest | None, login: str, holder: str) -> object:
    """Run `check` (which raises ValidationError with code "invalid_login" for a wrong password)
    within the limits; a lock-out raises ValidationError with code "locked"."""
    try:
        ticket = ratelimit.hit(*identities(request=request, login=login, holder=holder))
    except ratelimit.RateLimited as refusal:
        ip = client_ip(request) if request is not None else None
        login_locked.send(sender=__name__, login=normalize.login_key(login), ip=ip, limit=refusal.limit)
        raise forms.ValidationError(refusal.message, code="locked") from None
    try:
        result = check()
    except forms.ValidationError as error:
        if error.code != "invalid_login":  # e.g. a closed cabinet: the password was not the problem
            ticket.refund()
        raise
    ticket.succeeded(forget=FORGET_ON_SUCCESS)
    return result


class GuardedLoginMixin:
    """For AuthenticationForm and its kin: Django's check of the password, behind the limits."""

    request: HttpRequest | None

    def holder(self, username: str) -> str:
        return holder_of_username(username)

    def clean(self) -> dict:
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if not (username and password):
            return super().clean()
        return guarded(super().clean, request=self.request, login=username, holder=self.holder(username))


def check_current_password(*, user, password: str, request: HttpRequest | None, message: str) -> None:
    """A form inside a session asks for the password again (closing the cabinet, a new password):
    counted on the same holder as the log-in, so a stolen session cannot try passwords freely."""

    def check() -> None:
        if not user.check_password(password):
            raise forms.ValidationError(message, code="invalid_login")

    guarded(check, request=request, login=user.get_username(), holder=f"user:{user.pk}")
