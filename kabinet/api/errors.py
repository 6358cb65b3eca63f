"""Every error of the API as one JSON shape: a machine code and a Russian message, per field too.

    {"code": "invalid", "message": "Проверьте данные запроса.",
     "fields": {"login": [{"code": "required", "message": "Обязательное поле."}]}}

`code` is stable, in English, for the program; `message` is for the person, in Russian.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from kabinet.core import ratelimit
from kabinet.core.errors import Refusal

from .authentication import TOKEN_MISSING

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


@csrf_exempt  # no cookies are read under /api/: a POST to a wrong address is a 404 too
def not_found(request, *args, **kwargs) -> JsonResponse:
    """Any address under /api/ that is not the API's: JSON, as the rest of it."""
    response = JsonResponse(body("not_found", NOT_FOUND), status=404)
    response["Cache-Control"] = "private, no-store"
    return response
