"""App tokens (приложения): a long-lived key a resident's app or script signs its requests with.

Only a keyed hash of the token is stored (kabinet/api/tokens.py): the database alone gives no
working token. A token is bound to a named device («iPhone Анны», «Home Assistant»), shows when it
was last used, and ends when revoked — in the profile or by the app itself (`DELETE
/api/v1/auth/token/`) — or when its cabinet changes the password or ends every session.
"""

from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    resident = models.ForeignKey(
        "residents.Resident", verbose_name="житель", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("устройство", max_length=100)
    key_hash = models.CharField("ключ (хеш)", max_length=64, unique=True, editable=False)
    # The first characters of the token, so that a resident can tell two of the same name apart.
    prefix = models.CharField("начало ключа", max_length=12, editable=False)
    # The cabinet's sign-in state at issue (a digest of its session hash): a new password or
    # «Выйти на всех устройствах» changes it, and with it every token ends.
    auth_mark = models.CharField(max_length=64, editable=False)
    how = models.CharField("как выдан", max_length=10)  # password | sms
    created_at = models.DateTimeField("выдан", default=timezone.now)
    created_ip = models.GenericIPAddressField("IP при выдаче", null=True, blank=True)
    last_used_at = models.DateTimeField("последнее использование", null=True, blank=True)
    last_used_ip = models.GenericIPAddressField("IP последнего использования", null=True, blank=True)
    revoked_at = models.DateTimeField("отозван", null=True, blank=True)
    # What the app has read: news published up to this moment count as read.
    news_read_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "приложение (ключ API)"
        verbose_name_plural = "приложения (ключи API)"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["resident", "revoked_at"], name="api_token_resident")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class AppealRead(models.Model):
    """Replies to an appeal up to `read_at` were read in this app."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="appeal_reads")
    appeal = models.ForeignKey("appeals.Appeal", on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "appeal"], name="api_appeal_read_once")]

    def __str__(self) -> str:
        return f"{self.token}: обращение {self.appeal_id}"
