from django.contrib.auth.backends import ModelBackend

from kabinet.core.normalize import account_number

from .models import ResidentAccount


class AccountNumberBackend(ModelBackend):
    """«Логин обычно совпадает с номером лицевого счета»: a resident signs in with the number of
    any account of their cabinet; staff sign in with their username."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username:
            link = (
                ResidentAccount.objects.filter(account__number=account_number(username))
                .select_related("resident__user")
                .first()
            )
            if link is not None:
                username = link.resident.user.get_username()
        return super().authenticate(request, username=username, password=password, **kwargs)
