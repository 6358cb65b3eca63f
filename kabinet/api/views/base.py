"""What every resident endpoint shares: the token's household, the headers of personal data,
and the web forms as the one place where input is checked and its Russian messages written."""

from django import forms
from django.http import Http404
from django.utils.cache import patch_vary_headers
from rest_framework import exceptions
from rest_framework.exceptions import ErrorDetail
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from kabinet.billing.models import Account
from kabinet.core.clientip import client_ip
from kabinet.residents import selectors as residents
from kabinet.residents.models import Resident

from ..models import ApiToken


class PersonalView(APIView):
    """An endpoint of personal data: never kept by a shared cache, nor by the browser."""

    def finalize_response(self, request, response, *args, **kwargs):
        if getattr(response, "exception", False):
            # An error is JSON whatever the endpoint gives when it succeeds (a PDF, a file).
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        patch_vary_headers(response, ["Authorization"])
        return response

    @property
    def token(self) -> ApiToken:
        return self.request.auth

    @property
    def resident(self) -> Resident:
        return self.request.auth.resident

    @property
    def ip(self) -> str | None:
        return client_ip(self.request._request)

    def accounts(self) -> list[Account]:
        if not hasattr(self, "_accounts"):
            self._accounts = residents.resident_accounts(self.resident)
        return self._accounts

    def account(self, number: str) -> Account:
        """One of the household's accounts by its number; any other number is a 404."""
        found = next((a for a in self.accounts() if a.number == number), None)
        if found is None:
            raise Http404
        return found


class PublicView(PersonalView):
    """Sign-in: no token yet."""

    authentication_classes: list = []
    permission_classes: list = []


def checked(form: forms.Form) -> forms.Form:
    """The web form's own checks and messages; a refusal becomes the API's per-field error."""
    if form.is_valid():
        return form
    detail = {}
    for name, errors in form.errors.as_data().items():
        key = "non_field_errors" if name == "__all__" else name
        detail[key] = [
            ErrorDetail(message, code=error.code or "invalid")
            for error in errors
            for message in error.messages
        ]
    raise exceptions.ValidationError(detail)
