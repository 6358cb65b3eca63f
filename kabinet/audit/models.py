from django.conf import settings
from django.db import models
from django.utils import timezone

from kabinet.core import formats


class AuditEntry(models.Model):
    """One line of the audit log: who did what to whom, when and from where.

    Written by `audit.services.record`; never edited. `details` never holds a password or a code.
    """

    class Action(models.TextChoices):
        LOGIN = "login", "вход"
        LOGIN_FAILED = "login_failed", "неудачный вход"
        LOGIN_LOCKED = "login_locked", "вход заблокирован"
        LOGOUT = "logout", "выход"
        RESET_REQUESTED = "reset_requested", "запрошено восстановление пароля"
        PASSWORD_RESET = "password_reset", "пароль восстановлен по SMS"
        PASSWORD_CHANGED = "password_changed", "пароль изменён"
        EMAIL_CHANGED = "email_changed", "e-mail изменён"
        PHONE_CHANGE_REQUESTED = "phone_requested", "запрошена смена телефона"
        PHONE_CHANGED = "phone_changed", "телефон изменён"
        NOTIFICATIONS_CHANGED = "notifications", "изменены уведомления"
        CABINET_CLOSED = "cabinet_closed", "кабинет закрыт, согласие отозвано"
        ACCOUNT_REQUESTED = "account_requested", "запрошено подключение лицевого счёта"
        ACCOUNT_ADDED = "account_added", "лицевой счёт подключён к кабинету"
        ACCOUNT_REMOVED = "account_removed", "лицевой счёт убран из кабинета"
        REQUEST_APPROVED = "request_approved", "заявка одобрена"
        REQUEST_REJECTED = "request_rejected", "заявка отклонена"
        EXPORT = "export", "выгрузка данных"
        RATE_LIMITED = "rate_limited", "отказ: превышен лимит"
        MESSAGES_RESENT = "messages_resent", "сообщения отправлены повторно"
        MESSAGES_MARKED_SENT = "messages_marked", "сообщения отмечены отправленными"
        OTP_SETUP = "otp_setup", "подключён второй фактор"
        OTP_VERIFIED = "otp_verified", "вход подтверждён вторым фактором"
        OTP_FAILED = "otp_failed", "неверный код второго фактора"
        OTP_RECOVERY_USED = "otp_recovery_used", "вход по резервному коду"
        OTP_RECOVERY_RENEWED = "otp_recovery_renew", "выпущены новые резервные коды"
        OTP_RESET = "otp_reset", "второй фактор сброшен"
        SESSIONS_ENDED = "sessions_ended", "выход на всех устройствах"
        DEVICE_PAIRED = "device_paired", "подключено устройство (Ватериус)"
        DEVICE_CHANGED = "device_changed", "изменены входы устройства"
        DEVICE_TOKEN = "device_token", "выдан новый адрес устройства"
        DEVICE_REMOVED = "device_removed", "устройство отключено"
        PAYMENT_ASSIGNED = "payment_assigned", "неразнесённый платёж зачислен на лицевой счёт"

    at = models.DateTimeField("когда", default=timezone.now, db_index=True)
    action = models.CharField("действие", max_length=20, choices=Action.choices, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept apart from `actor`: the log still reads right after the user is renamed or removed.
    actor_name = models.CharField("кто (на момент действия)", max_length=200, blank=True)
    is_staff = models.BooleanField("сотрудник", default=False)
    ip_address = models.GenericIPAddressField("IP-адрес", null=True, blank=True)
    target = models.CharField("над чем", max_length=300, blank=True, db_index=True)
    details = models.JSONField("подробности", default=dict, blank=True)

    class Meta:
        verbose_name = "запись журнала"
        verbose_name_plural = "журнал действий"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{formats.date_time(self.at)}: {self.get_action_display()} {self.target}".strip()
