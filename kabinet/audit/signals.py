"""Sign-ins, sign-outs and failed sign-ins, from Django's auth signals (every login path sends them)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from kabinet.core.clientip import client_ip
from kabinet.core.signals import login_locked

from .models import AuditEntry
from .services import record


def _ip(request) -> str | None:
    return client_ip(request) if request is not None else None


@receiver(user_logged_in, dispatch_uid="audit_login")
def _logged_in(sender, request, user, **kwargs) -> None:
    record(action=AuditEntry.Action.LOGIN, actor=user, ip=_ip(request), target=user.get_username())


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        record(action=AuditEntry.Action.LOGOUT, actor=user, ip=_ip(request), target=user.get_username())


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Django already masks the password in `credentials`; only the login typed is kept.
    login = "".join(str(credentials.get("username", "")).split())[:40]
    record(action=AuditEntry.Action.LOGIN_FAILED, ip=_ip(request), target=login)


@receiver(login_locked, dispatch_uid="audit_login_locked")
def _login_locked(sender, login: str, ip: str | None, limit: str, **kwargs) -> None:
    record(action=AuditEntry.Action.LOGIN_LOCKED, ip=ip, target=login, details={"limit": limit})
