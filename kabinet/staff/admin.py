from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from kabinet.core.backoffice import BackOfficeAdmin, RussianPermissions
from kabinet.core.clientip import client_ip
from kabinet.core.formats import Noun
from kabinet.core.models import User

from . import services

# Devices are managed through the staff member (the action below), not as rows of their own.
for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(User)
class KabinetUserAdmin(BackOfficeAdmin, RussianPermissions, UserAdmin):
    noun = Noun("пользователь", "пользователя", "пользователей", accusative="пользователя")
    list_display = (
        "username",
        "email",
        "first_name",
        "last_name",
        "is_staff",
        "second_factor",
        "is_active",
        "last_login",
    )
    actions = ["reset_second_factor"]

    @admin.display(description="второй фактор", boolean=True)
    def second_factor(self, obj: User) -> bool:
        return TOTPDevice.objects.filter(user=obj, confirmed=True).exists()

    @admin.action(description="Сбросить второй фактор (потерян телефон)", permissions=["change"])
    def reset_second_factor(self, request, queryset) -> None:
        names = []
        for user in queryset:
            services.reset_second_factor(user=user, by=request.user, ip=client_ip(request))
            names.append(user.get_username())
        self.message_user(
            request,
            f"Второй фактор сброшен: {', '.join(names)}. При следующем входе его нужно подключить заново.",
            messages.SUCCESS,
        )
