from django.contrib.auth import get_user_model
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

    def get_user(self, user_id):
        # The signed-in user of every request, read with its resident in one query: every
        # cabinet page asks for `request.user.resident` next (a staff user has none: None).
        try:
            user = get_user_model()._default_manager.select_related("resident").get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
