from django.apps import AppConfig


class ResidentsConfig(AppConfig):
    name = "kabinet.residents"
    label = "residents"
    verbose_name = "Жители и регистрация"

    def ready(self) -> None:
        # The kept user carries its resident; kept pages show the resident and its accounts.
        from kabinet.core import stamps

        from .models import Resident, ResidentAccount

        stamps.watch(Resident, lambda resident: [stamps.user(resident.user_id)])
        stamps.watch(ResidentAccount, _resident_user)


def _resident_user(link) -> list[str]:
    from kabinet.core import stamps

    from .models import Resident

    user_id = Resident.objects.filter(pk=link.resident_id).values_list("user_id", flat=True).first()
    return [stamps.user(user_id)] if user_id is not None else [stamps.SITE]
