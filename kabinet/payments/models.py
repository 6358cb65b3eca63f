import uuid

from django.db import models
from django.db.models import Q

from kabinet.core import formats

MONEY = {"max_digits": 14, "decimal_places": 2}


class OnlinePayment(models.Model):
    """A payment a resident started in the cabinet, as it goes through the provider.

    It becomes money on the account (a billing `Payment` of source «online») exactly once: when
    the provider, asked directly, says it succeeded. The one-to-one link to that `Payment` and the
    check below hold that in the database however many notifications arrive, and at once.
    """

    class Status(models.TextChoices):
        CREATED = "created", "создан"  # the provider has not answered yet
        PENDING = "pending", "ожидает оплаты"
        SUCCEEDED = "succeeded", "оплачен"
        CANCELED = "canceled", "не оплачен"

    account = models.ForeignKey(
        "billing.Account",
        on_delete=models.PROTECT,
        related_name="online_payments",
        verbose_name="лицевой счёт",
    )
    resident = models.ForeignKey(
        "residents.Resident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="online_payments",
        verbose_name="житель",
    )
    amount = models.DecimalField("сумма, ₽", **MONEY)
    provider = models.CharField("платёжный сервис", max_length=20)
    provider_payment_id = models.CharField("номер платежа у сервиса", max_length=64, blank=True)
    idempotence_key = models.UUIDField(
        "ключ идемпотентности", default=uuid.uuid4, unique=True, editable=False
    )
    status = models.CharField("состояние", max_length=10, choices=Status.choices, default=Status.CREATED)
    confirmation_url = models.CharField("адрес страницы оплаты", max_length=2000, blank=True)
    billing_payment = models.OneToOneField(
        "billing.Payment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="online_payment",
        verbose_name="оплата на лицевом счёте",
    )
    created_at = models.DateTimeField("создан", auto_now_add=True)
    paid_at = models.DateTimeField("оплачен", null=True, blank=True)
    updated_at = models.DateTimeField("изменён", auto_now=True)

    class Meta:
        verbose_name = "онлайн-платёж"
        verbose_name_plural = "онлайн-платежи"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="online_payment_amount_positive"),
            models.UniqueConstraint(
                fields=["provider", "provider_payment_id"],
                condition=~Q(provider_payment_id=""),
                name="online_payment_provider_id_unique",
            ),
            # Paid if and only if the money is on the account.
            models.CheckConstraint(
                condition=(Q(status="succeeded") & Q(billing_payment__isnull=False))
                | (~Q(status="succeeded") & Q(billing_payment__isnull=True)),
                name="online_payment_succeeded_has_payment",
            ),
        ]
        indexes = [models.Index(fields=["account", "-created_at"], name="online_payment_account")]

    def __str__(self) -> str:
        when = f" от {formats.date(self.created_at)}" if self.created_at else ""
        return (
            f"Онлайн-платёж {formats.money(self.amount)}{when}, л/с {self.account.number} "
            f"({self.get_status_display()})"
        )


class DevProviderPayment(models.Model):
    """The development provider's own record of a payment (what ЮKassa would keep on its side)."""

    provider_id = models.CharField(max_length=64, unique=True)
    idempotence_key = models.CharField(max_length=64, unique=True)
    amount = models.DecimalField(**MONEY)
    description = models.CharField(max_length=200, blank=True)
    return_url = models.CharField(max_length=2000)
    metadata = models.JSONField(default=dict)
    status = models.CharField(max_length=10, default="pending")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "платёж тестового сервиса"
        verbose_name_plural = "платежи тестового сервиса"

    def __str__(self) -> str:
        return f"{self.provider_id} {self.amount} ({self.status})"
