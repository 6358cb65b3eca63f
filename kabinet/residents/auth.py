from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from kabinet.core import stamps
from kabinet.core.normalize import account_number

from .models import ResidentAccount


def kept_user_key(user_id: object) -> str:
    return f"kept:user:{user_id}"


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
        # cabinet page asks for `request.user.resident` next (a staff user has none: None). A
        # resident's is kept in the shared cache until the user or the resident is saved (a new
        # password, «выйти на всех устройствах», a closed cabinet: kabinet.core.stamps); staff
        # are read every time.
        user = stamps.kept_value(
            kept_user_key(user_id),
            [stamps.user(user_id)],
            lambda: self._read_user(user_id),
            worth=lambda user: user is not None and not user.is_staff,
        )
        return user if user is not None and self.user_can_authenticate(user) else None

    @staticmethod
    def _read_user(user_id):
        try:
            return get_user_model()._default_manager.select_related("resident").get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
