"""The audit log's one entry point. Other apps call `record(...)` for what staff and residents do.

from kabinet.audit.services import record
record(action=AuditEntry.Action.EXPORT, actor=request.user, ip=ip, target="показания за 2026-03",
       details={"rows": 1520})
"""

from typing import Any

from .models import AuditEntry

# Whatever the caller passes, values under these words never reach the log.
SECRET_WORDS = ("password", "code", "token", "secret", "пароль", "код")
MAX_TEXT = 500


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            str(k)[:100]: ("[скрыто]" if any(w in str(k).lower() for w in SECRET_WORDS) else _clean(v))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value][:100]
    if isinstance(value, str):
        return value.replace("\x00", "")[:MAX_TEXT]
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)[:MAX_TEXT]


def record(
    *,
    action: str,
    actor=None,
    ip: str | None = None,
    target: str = "",
    details: dict | None = None,
) -> AuditEntry:
    """Write one audit entry; `actor` is a user (staff or resident) or None for the system."""
    actor_name, is_staff = "", False
    if actor is not None and getattr(actor, "is_authenticated", False):
        resident = getattr(actor, "resident", None) if not actor.is_staff else None
        actor_name = (resident.full_name if resident else actor.get_username())[:200]
        is_staff = actor.is_staff
    else:
        actor = None
    return AuditEntry.objects.create(
        action=action,
        actor=actor,
        actor_name=actor_name,
        is_staff=is_staff,
        ip_address=ip or None,
        target=_clean(target)[:300],
        details=_clean(details or {}),
    )
