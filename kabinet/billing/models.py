from django.db import models

from kabinet.core import normalize


class Account(models.Model):
    """Лицевой счёт, as the billing system (система начислений) knows it.

    Registration is checked against these rows: the number, the holder's full name and, where
    the billing data holds one, the phone.
    """

    number = models.CharField("номер лицевого счёта", max_length=30, unique=True)
    holder_name = models.CharField("ФИО ответственного квартиросъёмщика", max_length=200)
    address = models.CharField("адрес помещения", max_length=300)
    area = models.DecimalField("площадь, м²", max_digits=9, decimal_places=2, null=True, blank=True)
    phone = models.CharField(
        "телефон по данным начислений", max_length=16, blank=True, help_text="В формате +79123456789."
    )
    email = models.EmailField("e-mail по данным начислений", blank=True)
    created_at = models.DateTimeField("загружен", auto_now_add=True)
    updated_at = models.DateTimeField("обновлён", auto_now=True)

    class Meta:
        verbose_name = "лицевой счёт"
        verbose_name_plural = "лицевые счета"
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number} — {self.address}"

    def holder_matches(self, full_name: str) -> bool:
        return normalize.names_match(self.holder_name, full_name)
