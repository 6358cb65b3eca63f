"""Meters (приборы учёта), their readings, the reading window and the reminders about it.

A building is a row of its own here (`Building`): the address of the house, without the flat.
Meters point at the building their account's premises are in, so that the window of a building
can differ from the company's one (`Building.opens_day`/`closes_day`), and the back-office can
filter meters by house. The building of a meter is found from the account's address by
`building_address()` when the meter is imported or created.
"""

import re
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from kabinet.billing.models import Account
from kabinet.core import caching, formats

_DAY = [MinValueValidator(1), MaxValueValidator(31)]
# «…, д. 12, кв. 5», «…, д. 3, кв. 44, комн. 2»: the flat part is cut off, the house stays.
_FLAT_RE = re.compile(
    r"[,;]?\s*(кв\.|квартира|комн\.|комната|пом\.|помещение|оф\.|офис)\s*.*$", re.IGNORECASE
)


def building_address(account_address: str) -> str:
    """The address of the house an account's premises are in: the address without the flat."""
    return _FLAT_RE.sub("", account_address).strip(" ,;") or account_address.strip()


class Resource(models.TextChoices):
    """What a meter measures (ресурс): not billing's `Service`, which is a line of the payment
    document and may bill a resource, a flat fee or the upkeep of the house."""

    COLD_WATER = "cold_water", "ХВС"
    HOT_WATER = "hot_water", "ГВС"
    ELECTRICITY = "electricity", "Электроэнергия"
    HEATING = "heating", "Отопление"
    GAS = "gas", "Газ"


UNITS = {
    Resource.COLD_WATER: "м³",
    Resource.HOT_WATER: "м³",
    Resource.ELECTRICITY: "кВт·ч",
    Resource.HEATING: "Гкал",
    Resource.GAS: "м³",
}
# The resource as residents name it: the choices' short labels (ХВС, ГВС) are the billing's jargon.
RESOURCE_NAMES = {
    Resource.COLD_WATER: "Холодная вода",
    Resource.HOT_WATER: "Горячая вода",
    Resource.ELECTRICITY: "Электроэнергия",
    Resource.HEATING: "Отопление",
    Resource.GAS: "Газ",
}
# Two-zone: T1 day, T2 night; three-zone: T1 peak, T2 night, T3 semi-peak (SPEC §7).
TARIFF_NAMES = {
    1: ("",),
    2: ("Т1 (день)", "Т2 (ночь)"),
    3: ("Т1 (пик)", "Т2 (ночь)", "Т3 (полупик)"),
}


class ReadingSchedule(models.Model):
    """The company's window for readings (a single row, pk=1): from `opens_day` to `closes_day`
    of every month, both included. Правила №354: no later than the 25th unless the contract says
    otherwise."""

    opens_day = models.PositiveSmallIntegerField(
        "приём открывается (число месяца)", default=15, validators=_DAY
    )
    closes_day = models.PositiveSmallIntegerField(
        "приём закрывается (число месяца, включительно)",
        default=25,
        validators=_DAY,
        help_text="Если в месяце меньше дней, приём закрывается в последний день месяца.",
    )

    class Meta:
        verbose_name = "окно приёма показаний"
        verbose_name_plural = "окно приёма показаний"
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_day__gte=1, closes_day__lte=31, opens_day__lte=models.F("closes_day")),
                name="schedule_days_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"с {self.opens_day} по {self.closes_day} число месяца"

    @classmethod
    def load(cls) -> "ReadingSchedule":
        # Read by the overview and the readings pages: kept in the cache, forgotten when saved.
        return caching.kept(cls, 1, lambda: cls.objects.get_or_create(pk=1)[0])


class Building(models.Model):
    """A house the company manages, with its own reading window if it differs from the company's."""

    address = models.CharField("адрес дома", max_length=300, unique=True)
    opens_day = models.PositiveSmallIntegerField(
        "приём открывается (число)", null=True, blank=True, validators=_DAY
    )
    closes_day = models.PositiveSmallIntegerField(
        "приём закрывается (число, включительно)",
        null=True,
        blank=True,
        validators=_DAY,
        help_text="Оставьте оба поля пустыми, чтобы для дома действовало окно компании.",
    )

    class Meta:
        verbose_name = "дом"
        verbose_name_plural = "дома"
        ordering = ["address"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_day__isnull=True, closes_day__isnull=True)
                | Q(opens_day__gte=1, closes_day__lte=31, opens_day__lte=models.F("closes_day")),
                name="building_window_both_or_none",
            )
        ]

    def __str__(self) -> str:
        return self.address

    @property
    def has_own_window(self) -> bool:
        return self.opens_day is not None


class Meter(models.Model):
    """Прибор учёта of an account's premises, as the billing system knows it."""

    account = models.ForeignKey(
        Account, verbose_name="лицевой счёт", on_delete=models.CASCADE, related_name="meters"
    )
    building = models.ForeignKey(
        Building, verbose_name="дом", on_delete=models.PROTECT, related_name="meters", null=True, blank=True
    )
    service = models.CharField("услуга", max_length=12, choices=Resource.choices)
    tariffs = models.PositiveSmallIntegerField(
        "тарифов",
        default=1,
        help_text="Для электроэнергии: 1 — однотарифный, 2 — день/ночь, 3 — пик/ночь/полупик.",
    )
    serial_number = models.CharField("заводской номер", max_length=40)
    place = models.CharField("место установки", max_length=100, blank=True)
    digits_before = models.PositiveSmallIntegerField(
        "знаков до запятой",
        default=5,
        help_text="Сколько цифр на счётчике до запятой: после 99999 он начинает с нуля.",
    )
    digits_after = models.PositiveSmallIntegerField("знаков после запятой", default=3)
    installed_on = models.DateField("дата установки", null=True, blank=True)
    next_check_date = models.DateField("дата следующей поверки", null=True, blank=True)
    initial_value = models.DecimalField(
        "начальное показание", max_digits=13, decimal_places=3, default=Decimal(0)
    )
    initial_value_t2 = models.DecimalField(
        "начальное показание Т2", max_digits=13, decimal_places=3, null=True, blank=True
    )
    initial_value_t3 = models.DecimalField(
        "начальное показание Т3", max_digits=13, decimal_places=3, null=True, blank=True
    )
    is_active = models.BooleanField(
        "в работе", default=True, help_text="Снимите, когда прибор заменён или снят."
    )
    # The number ГИС ЖКХ gave the meter (kabinet/gis): its readings go to ГИС under it.
    gis_number = models.CharField(
        "номер в ГИС ЖКХ",
        max_length=50,
        blank=True,
        help_text="Присваивает ГИС ЖКХ; загружается из её файла.",
    )
    updated_at = models.DateTimeField("обновлён", auto_now=True)

    class Meta:
        verbose_name = "прибор учёта"
        verbose_name_plural = "приборы учёта"
        ordering = ["account__number", "service", "serial_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "serial_number"], name="meter_serial_unique_per_account"
            ),
            models.CheckConstraint(
                condition=Q(tariffs=1) | Q(tariffs__in=[2, 3], service="electricity"),
                name="meter_tariffs_electricity_only",
            ),
            models.CheckConstraint(
                condition=Q(digits_before__gte=1, digits_before__lte=9), name="meter_digits_before"
            ),
            models.CheckConstraint(condition=Q(digits_after__lte=3), name="meter_digits_after"),
            models.UniqueConstraint(
                fields=["gis_number"], condition=~Q(gis_number=""), name="meter_gis_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_service_display()} № {self.serial_number}"

    @property
    def unit(self) -> str:
        return UNITS[self.service]

    @property
    def resource_name(self) -> str:
        """«Холодная вода», not «ХВС»: what the resident's pages call the meter's resource."""
        return RESOURCE_NAMES[self.service]

    @property
    def name_for_resident(self) -> str:
        return f"{self.resource_name}, прибор № {self.serial_number}"

    @property
    def tariff_names(self) -> tuple[str, ...]:
        return TARIFF_NAMES[self.tariffs]

    @property
    def wrap(self) -> Decimal:
        """The value after which the counter starts again from zero (10^digits before the point)."""
        return Decimal(10) ** self.digits_before

    @property
    def step(self) -> Decimal:
        return Decimal(1).scaleb(-self.digits_after)

    @property
    def shown_initial(self) -> str:
        return self.shown_values(self.initial_values)

    @property
    def initial_values(self) -> tuple[Decimal, ...]:
        values = (
            self.initial_value,
            self.initial_value_t2 or Decimal(0),
            self.initial_value_t3 or Decimal(0),
        )
        return values[: self.tariffs]

    def shown(self, value: Decimal | None) -> str:
        """A value with this meter's precision and a decimal comma: «377,938», «20360»."""
        if value is None:
            return "—"
        return f"{value.quantize(self.step):f}".replace(".", ",")

    def shown_values(self, values: tuple[Decimal, ...]) -> str:
        """«377,938», or «Т1: 20360; Т2: 8002» for a multi-tariff meter."""
        if self.tariffs == 1:
            return self.shown(values[0])
        return "; ".join(f"Т{i}: {self.shown(v)}" for i, v in enumerate(values, start=1))

    def check_overdue(self, today) -> bool:
        """Past its verification date the meter counts as out of order (SPEC §7)."""
        return self.next_check_date is not None and self.next_check_date < today


class Reading(models.Model):
    """Показание: one per meter per period (the first day of the month it was taken in)."""

    class Source(models.TextChoices):
        """The channel a reading came by: every channel passes the same checks."""

        RESIDENT = "resident", "кабинет"
        APP = "app", "приложение"
        DEVICE = "device", "устройство"
        BANK = "bank", "банк"
        OPERATOR = "operator", "оператор"
        IMPORT = "import", "система начислений"

    meter = models.ForeignKey(
        Meter, verbose_name="прибор учёта", on_delete=models.CASCADE, related_name="readings"
    )
    period = models.DateField("период", help_text="Первое число месяца.")
    value = models.DecimalField("показание (Т1)", max_digits=13, decimal_places=3)
    value_t2 = models.DecimalField("показание Т2", max_digits=13, decimal_places=3, null=True, blank=True)
    value_t3 = models.DecimalField("показание Т3", max_digits=13, decimal_places=3, null=True, blank=True)
    consumption = models.DecimalField(
        "расход за период",
        max_digits=13,
        decimal_places=3,
        null=True,
        blank=True,
        help_text="Сумма по тарифам.",
    )
    source = models.CharField("канал", max_length=10, choices=Source.choices, default=Source.RESIDENT)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="передал",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField("передано", default=timezone.now)
    confirmed_high = models.BooleanField(
        "большой расход подтверждён",
        default=False,
        help_text="Житель подтвердил расход, намного больше обычного.",
    )

    class Meta:
        verbose_name = "показание"
        verbose_name_plural = "показания"
        ordering = ["-period", "meter_id"]
        constraints = [
            models.UniqueConstraint(fields=["meter", "period"], name="one_reading_per_meter_per_period"),
            models.CheckConstraint(condition=Q(period__day=1), name="reading_period_first_day"),
        ]
        indexes = [models.Index(fields=["period", "meter"], name="reading_period")]

    def __str__(self) -> str:
        return f"{self.meter}: {self.shown} за {formats.month(self.period)}"

    @property
    def values(self) -> tuple[Decimal, ...]:
        return (self.value, self.value_t2 or Decimal(0), self.value_t3 or Decimal(0))[: self.meter.tariffs]

    @property
    def shown_values(self) -> list[str]:
        return [self.meter.shown(v) for v in self.values]

    @property
    def shown(self) -> str:
        return self.meter.shown_values(self.values)

    @property
    def shown_consumption(self) -> str:
        return self.meter.shown(self.consumption)


class ReadingReminder(models.Model):
    """A reminder sent to a resident for a period: the unique row keeps reruns from sending twice."""

    resident = models.ForeignKey(
        "residents.Resident",
        verbose_name="житель",
        on_delete=models.CASCADE,
        related_name="reading_reminders",
    )
    period = models.DateField("период")
    channel = models.CharField("канал", max_length=8)
    sent_at = models.DateTimeField("поставлено в очередь", default=timezone.now)

    class Meta:
        verbose_name = "напоминание о показаниях"
        verbose_name_plural = "напоминания о показаниях"
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "period"], name="one_reminder_per_resident_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resident} — {formats.month(self.period)}"
