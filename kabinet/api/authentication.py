"""`Authorization: Bearer <token>`: the token's household is the only one the request may see."""

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission

from kabinet.core.clientip import client_ip

from . import services, tokens
from .models import ApiToken

TOKEN_INVALID = "Ключ приложения недействителен или отозван. Войдите в приложение снова."
TOKEN_MISSING = "Нужен ключ приложения: заголовок «Authorization: Bearer <ключ>». Получите ключ входом."


class TokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != b"bearer":
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(TOKEN_INVALID, code="token_invalid")
        raw = parts[1].decode("latin-1")
        token = (
            ApiToken.objects.filter(key_hash=tokens.token_hash(raw), revoked_at=None)
            .select_related("resident__user")
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(TOKEN_INVALID, code="token_invalid")
        user = token.resident.user
        # A closed cabinet, a new password or «Выйти на всех устройствах» end the token too.
        if not user.is_active or token.auth_mark != tokens.auth_mark(user):
            raise exceptions.AuthenticationFailed(TOKEN_INVALID, code="token_invalid")
        services.touch(token, ip=client_ip(request._request))
        return user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class IsResident(BasePermission):
    message = TOKEN_MISSING
    code = "not_authenticated"

    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, ApiToken)
