"""Sign-in of an app (password or SMS code) and its tokens: list, revoke, revoke itself."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from .. import selectors, services
from .. import serializers as out
from .base import PersonalView, PublicView

ERRORS = {400: out.Error, 429: out.Error}


def _issued(token, raw) -> Response:
    token.token = raw  # shown this once; only its keyed hash is stored
    return Response(out.IssuedToken(token).data, status=status.HTTP_201_CREATED)


class PasswordSignInView(PublicView):
    @extend_schema(
        tags=["Вход"],
        summary="Вход по паролю: ключ для устройства",
        request=out.PasswordSignIn,
        responses={201: out.IssuedToken, **ERRORS},
        auth=[],
    )
    def post(self, request):
        data = _valid(out.PasswordSignIn, request)
        token, raw = services.sign_in_with_password(
            login=data["login"],
            password=data["password"],
            device_name=data["device_name"],
            request=request._request,
        )
        return _issued(token, raw)


class CodeRequestView(PublicView):
    @extend_schema(
        tags=["Вход"],
        summary="Код для входа по SMS на телефон кабинета",
        description="Ответ одинаков, есть ли такой кабинет или нет.",
        request=out.CodeRequest,
        responses={202: out.Detail, **ERRORS},
        auth=[],
    )
    def post(self, request):
        data = _valid(out.CodeRequest, request)
        services.request_signin_code(login=data["login"], ip=self.ip)
        message = (
            "Если у этого логина есть личный кабинет, на его телефон отправлен код. Он действует 10 минут."
        )
        return Response({"message": message}, status=status.HTTP_202_ACCEPTED)


class CodeSignInView(PublicView):
    @extend_schema(
        tags=["Вход"],
        summary="Вход по коду из SMS: ключ для устройства",
        request=out.CodeSignIn,
        responses={201: out.IssuedToken, **ERRORS},
        auth=[],
    )
    def post(self, request):
        data = _valid(out.CodeSignIn, request)
        token, raw = services.sign_in_with_code(
            login=data["login"], code=data["code"], device_name=data["device_name"], ip=self.ip
        )
        return _issued(token, raw)


class CurrentTokenView(PersonalView):
    @extend_schema(tags=["Вход"], summary="Этот ключ", responses={200: out.Token, 401: out.Error})
    def get(self, request):
        return Response(out.Token(self.token).data)

    @extend_schema(tags=["Вход"], summary="Выйти: отозвать этот ключ", responses={204: None, 401: out.Error})
    def delete(self, request):
        services.revoke_token(token=self.token, ip=self.ip)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenListView(PersonalView):
    @extend_schema(
        tags=["Вход"],
        summary="Приложения и устройства кабинета",
        responses={200: out.Token(many=True), 401: out.Error},
    )
    def get(self, request):
        return Response(out.Token(selectors.live_tokens(self.resident), many=True).data)


class TokenDetailView(PersonalView):
    @extend_schema(
        tags=["Вход"],
        summary="Отозвать ключ устройства кабинета",
        responses={204: None, 401: out.Error, 404: out.Error},
    )
    def delete(self, request, pk: int):
        token = selectors.resident_token(self.resident, pk)
        if token is None:
            raise Http404
        services.revoke_token(token=token, ip=self.ip)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
