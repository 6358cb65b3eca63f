from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """Anyone who signs in: a resident (username = the account number they registered with)
    or a member of staff. What is specific to residents lives in `residents.Resident`."""

    class Meta(AbstractUser.Meta):
        verbose_name = "пользователь"
        verbose_name_plural = "пользователи"


class Company(models.Model):
    """The one housing management company this installation serves (a single row, pk=1)."""

    name = models.CharField("название", max_length=200, default="Управляющая компания")
    short_name = models.CharField("краткое название", max_length=80, default="УК")
    address = models.CharField("адрес", max_length=300, blank=True)
    phone = models.CharField("телефон", max_length=40, blank=True)
    email = models.EmailField("e-mail", blank=True)
    working_hours = models.CharField("часы работы", max_length=200, blank=True)
    auto_approve_registrations = models.BooleanField(
        "одобрять заявки автоматически",
        default=True,
        help_text=(
            "Если ФИО, номер лицевого счёта и телефон совпадают с данными системы начислений, "
            "код подтверждения уходит сразу, без проверки сотрудником."
        ),
    )

    class Meta:
        verbose_name = "управляющая компания"
        verbose_name_plural = "управляющая компания"

    def __str__(self) -> str:
        return self.name

    @classmethod
    def load(cls) -> "Company":
        company, _ = cls.objects.get_or_create(pk=1)
        return company
