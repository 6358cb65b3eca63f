"""Every error of the API as one JSON shape: a machine code and a Russian message, per field too.

    {"code": "invalid", "message": "Проверьте данные запроса.",
     "fields": {"login": [{"code": "required", "message": "Обязательное поле."}]}}

`code` is stable, in English, for the program; `message` is for the person, in Russian.

The API's views answer so through DRF (`exception_handler`). What fails outside them — a request
Django refuses before any view (a wrong Host, too many fields: 400), a CSRF failure (403), an
error nobody handled (500), a database gone away (503) — reaches the project's handlers
(kabinet/urls.py: handler400/403/404/500, and CSRF_FAILURE_VIEW), which are these: under the
API's prefix they answer JSON in the same shape, elsewhere the site's pages (kabinet.core.views,
kabinet.ops.views) as before.
"""

import sys

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from kabinet.core import ratelimit
from kabinet.core import views as site
from kabinet.core.errors import Refusal
from kabinet.core.logs import current_request_id
from kabinet.ops import views as ops

from .authentication import TOKEN_MISSING

# Where kabinet/urls.py mounts the API (as CORS_URLS_REGEX in the settings).
PREFIX = "/api/"

INVALID = "Проверьте данные запроса: ошибки указаны у полей."
NOT_FOUND = "Не найдено. Проверьте адрес: данные других квартир через API не видны."
MESSAGES = {
    "not_authenticated": TOKEN_MISSING,
    "not_found": NOT_FOUND,
    "method_not_allowed": "Этот метод здесь не поддерживается.",
    "parse_error": "Тело запроса не читается: ожидается JSON (или multipart/form-data для файлов).",
    "unsupported_media_type": "Неподдерживаемый тип данных запроса: отправьте JSON.",
    "not_acceptable": "Ответ в запрошенном формате не поддерживается.",
    "permission_denied": "Недостаточно прав.",
}


def _items(detail) -> list[dict]:
    if isinstance(detail, dict):
        return [
            {"code": "invalid", "message": "; ".join(i["message"] for i in _items(v))}
            for v in detail.values()
        ]
    if isinstance(detail, list):
        out = []
        for item in detail:
            out.extend(_items(item))
        return out
    return [{"code": getattr(detail, "code", "invalid") or "invalid", "message": str(detail)}]


def _fields(detail) -> dict[str, list[dict]]:
    fields = {}
    for name, errors in detail.items():
        if isinstance(errors, dict) and not all(k.isdigit() for k in map(str, errors)):
            for sub, sub_errors in _fields(errors).items():
                fields[f"{name}.{sub}"] = sub_errors
        elif isinstance(errors, dict):  # a list of objects: errors by position
            for index, sub_errors in errors.items():
                for sub, items in (
                    _fields(sub_errors) if isinstance(sub_errors, dict) else {"": _items(sub_errors)}
                ).items():
                    fields[f"{name}.{index}" + (f".{sub}" if sub else "")] = items
        else:
            fields[str(name)] = _items(errors)
    return fields


def body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"code": code, "message": message, "fields": fields or {}}


def refusal_response(error: Refusal, status_code: int = 400) -> Response:
    fields = {error.field: [{"code": error.code, "message": error.message}]} if error.field else {}
    return Response(body(error.code, error.message, fields), status=getattr(error, "status", status_code))


def exception_handler(exc, context):
    if isinstance(exc, Refusal):
        return refusal_response(exc)
    if isinstance(exc, ratelimit.RateLimited):
        response = Response(body("rate_limited", exc.message), status=status.HTTP_429_TOOMANY_REQUESTS)
        response["Retry-After"] = str(exc.retry_after)
        return response
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_handler(exc, context)
    if response is None:
        return None  # a real failure: the 500 page and the error report, as elsewhere
    detail = exc.detail if isinstance(exc, exceptions.APIException) else None
    if isinstance(exc, exceptions.ValidationError):
        if isinstance(detail, dict):
            general = detail.pop("non_field_errors", None)
            fields = _fields(detail)
            message = _items(general)[0]["message"] if general else INVALID
            code = _items(general)[0]["code"] if general else "invalid"
            if not fields and not general:
                message = INVALID
        else:
            fields, items = {}, _items(detail)
            message, code = (items[0]["message"], items[0]["code"]) if items else (INVALID, "invalid")
        response.data = body(code, message, fields)
        return response
    code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    code = code if isinstance(code, str) else "error"
    message = MESSAGES.get(code) if code != "authentication_failed" else None
    if isinstance(exc, exceptions.AuthenticationFailed) or message is None:
        message = str(detail) if detail else "Ошибка."
    response.data = body(code, message)
    return response


BAD_REQUEST = (
    "Запрос не принят: сервер не может его разобрать (чужой адрес сайта в заголовке Host, "
    "слишком много полей или слишком большой запрос). Проверьте запрос и отправьте его снова."
)
CSRF_FAILED = (
    "Запрос отклонён: он пришёл с cookie сайта, но без защитного ключа формы (CSRF). Программы "
    "обращаются к API с ключом в заголовке Authorization: Bearer, без cookie."
)
SERVER_ERROR = (
    "Ошибка на сервере. Повторите запрос позже; если ошибка повторится, сообщите в управляющую компанию"
)
UNAVAILABLE = (
    "Личный кабинет временно недоступен. Всё, что отправлено раньше, сохранено: "
    "повторите запрос через минуту."
)


def _json(code: str, message: str, status_code: int) -> JsonResponse:
    response = JsonResponse(
        body(code, message), status=status_code, json_dumps_params={"ensure_ascii": False}
    )
    response["Cache-Control"] = "private, no-store"
    return response


def under_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(PREFIX)


@csrf_exempt  # no cookies are read under /api/: a POST to a wrong address is a 404 too
def not_found(request, *args, **kwargs) -> JsonResponse:
    """Any address under /api/ that is not the API's: JSON, as the rest of it."""
    return _json("not_found", NOT_FOUND, 404)


# The project's error handlers (kabinet/urls.py, CSRF_FAILURE_VIEW).


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: a request Django refused before any view (SuspiciousOperation)."""
    if under_api(request):
        return _json("bad_request", BAD_REQUEST, 400)
    return site.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler403."""
    if under_api(request):
        return _json("permission_denied", MESSAGES["permission_denied"], 403)
    return site.permission_denied(request, exception)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: the API's own views take no cookies and are exempt; this is for any
    other view under its prefix."""
    if under_api(request):
        return _json("csrf_failed", CSRF_FAILED, 403)
    return site.csrf_failure(request, reason)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404 (the API's own addresses end in `not_found` above)."""
    if under_api(request):
        return not_found(request)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the same 503 for a database gone away and 500 with the request id to quote
    as the site's page (kabinet.ops.views.server_error), in the API's shape."""
    if not under_api(request):
        return ops.server_error(request)
    if ops.unavailable(sys.exc_info()[1]):
        response = _json("unavailable", UNAVAILABLE, 503)
        response["Retry-After"] = "60"
        return response
    request_id = current_request_id()
    quoted = f", назвав номер ошибки: {request_id}." if request_id else "."
    return _json("server_error", SERVER_ERROR + quoted, 500)
