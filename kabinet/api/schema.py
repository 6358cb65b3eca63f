"""The token's description in the OpenAPI document (drf-spectacular reads it by the class path)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "kabinet.api.authentication.TokenAuthentication"
    name = "appToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Ключ приложения из POST /api/v1/auth/password/ или /api/v1/auth/sms/token/.",
        }
