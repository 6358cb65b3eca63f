"""Logs as one JSON object per line, with the request or job id, and nothing secret in them.

Every record carries `request_id` (the web request it came from, also sent back in the
`X-Request-ID` header) or `job_id` (the worker's round). Before a line is written it is
redacted: fields named like a password, code, token or secret lose their value, and phone
numbers keep only their last two digits, wherever they occur (a message, an exception).
"""

import contextvars
import json
import logging
import re
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_job_id: contextvars.ContextVar[str] = contextvars.ContextVar("job_id", default="")

SECRET_FIELD = re.compile(
    r"pass|(^|_)code$|codes|token|secret|otp|csrf|session|api_id|authorization|cookie", re.IGNORECASE
)
NOT_SECRET = {"status_code"}
# Russian mobile and city numbers as people write them (+7 912 345-67-89, 89123456789, 8 (495)
# 123-45-67) and international ones written with a plus.
PHONE = re.compile(
    r"(?<![\w+])((?:\+7|8|7)[\s\-(]*\d{3}[\s\-)]*\d{3}[\s\-]*\d{2}[\s\-]*\d{2}|\+\d{10,14})(?![\w])"
)
# Django's own records carry the request object, whose text includes the query string.
SKIPPED_FIELDS = {"request", "server_time"}
REDACTED = "[скрыто]"
# LogRecord's own attributes: everything else on a record came from `extra=` and is logged.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}


_base_factory = logging.getLogRecordFactory()


def _record_with_ids(*args, **kwargs) -> logging.LogRecord:
    """Every record is stamped with the request or job id when it is made, in the thread that
    made it: a handler that formats it later (a queue, a test's capture) still has them."""
    record = _base_factory(*args, **kwargs)
    if _request_id.get():
        record.request_id = _request_id.get()
    if _job_id.get():
        record.job_id = _job_id.get()
    return record


if getattr(logging.getLogRecordFactory(), "__name__", "") != "_record_with_ids":
    logging.setLogRecordFactory(_record_with_ids)


@contextmanager
def _bound(variable: contextvars.ContextVar[str], value: str) -> Iterator[None]:
    token = variable.set(value)
    try:
        yield
    finally:
        variable.reset(token)


def request_context(request_id: str) -> AbstractContextManager[None]:
    """Every line logged inside carries `request_id`."""
    return _bound(_request_id, request_id)


def job_context(job_id: str) -> AbstractContextManager[None]:
    """Every line logged inside carries `job_id`."""
    return _bound(_job_id, job_id)


def current_request_id() -> str:
    return _request_id.get()


def mask_phones(text: str) -> str:
    def mask(match: re.Match) -> str:
        digits = re.sub(r"\D", "", match.group(1))
        if not 10 <= len(digits) <= 15:
            return match.group(1)
        return "+" + "*" * (len(digits) - 2) + digits[-2:]

    return PHONE.sub(mask, text)


def redact(value, key: str = ""):
    """The value as it may be logged: secrets by name hidden, phones masked, containers walked."""
    if key and key not in NOT_SECRET and SECRET_FIELD.search(key) and value not in (None, "", 0):
        return REDACTED
    if isinstance(value, str):
        return mask_phones(value)
    if isinstance(value, dict):
        return {k: redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    if isinstance(value, int | float | bool) or value is None:
        return value
    return mask_phones(str(value))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, ids, and the `extra` fields."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": mask_phones(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in SKIPPED_FIELDS and not key.startswith("_"):
                line[key] = redact(value, key)
        if record.exc_info:
            line["exception"] = mask_phones(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False, default=str)


def _scrub_event(event: dict, hint: dict) -> dict:
    """Sentry's before_send: masks phones in the message and exception values, drops the user."""
    event.pop("user", None)
    request = event.get("request") or {}
    for key in ("cookies", "data", "query_string"):
        request.pop(key, None)
    if isinstance(request.get("headers"), dict):
        request["headers"] = redact(request["headers"])
    for value in (event.get("exception") or {}).get("values") or []:
        if isinstance(value.get("value"), str):
            value["value"] = mask_phones(value["value"])
    if isinstance(event.get("logentry"), dict) and isinstance(event["logentry"].get("message"), str):
        event["logentry"]["message"] = mask_phones(event["logentry"]["message"])
    return event


def sentry_init(*, dsn: str, environment: str, traces_sample_rate: float) -> None:
    """Start the Sentry client; sentry-sdk is imported only when a DSN is set."""
    try:
        import sentry_sdk
        from sentry_sdk.integrations.django import DjangoIntegration
    except ImportError as error:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SENTRY_DSN is set, but sentry-sdk is not installed") from error
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        include_local_variables=False,  # a frame's variables may hold a password or a code
        max_request_body_size="never",
        traces_sample_rate=traces_sample_rate,
        before_send=_scrub_event,
    )
