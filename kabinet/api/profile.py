"""The profile's «Приложения и устройства»: a resident revokes an app's token (the list itself is
read by the profile page, residents/views/cabinet.py, from selectors.live_tokens)."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from kabinet.core.clientip import client_ip
from kabinet.residents.cabinet import Cabinet, cabinet_page

from . import selectors, services


@require_POST
@cabinet_page
def revoke(request: HttpRequest, cabinet: Cabinet, pk: int) -> HttpResponse:
    token = selectors.resident_token(cabinet.resident, pk)
    if token is None:
        raise Http404  # not a token of this cabinet, or revoked already
    services.revoke_token(token=token, ip=client_ip(request))
    messages.success(request, f"Ключ устройства «{token.name}» отозван: оно больше не войдёт в кабинет.")
    return redirect(reverse("residents:profile") + "#apps")


app_name = "apps"
urlpatterns = [path("cabinet/profile/apps/<int:pk>/revoke/", revoke, name="revoke")]
