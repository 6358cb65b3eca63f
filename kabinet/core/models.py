from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.crypto import salted_hmac

from . import caching, validators


class User(AbstractUser):
    """Anyone who signs in: a resident (username = the account number they registered with)
    or a member of staff. What is specific to residents lives in `residents.Resident`."""

    # «Выйти на всех устройствах»: raised by one, it changes the hash every session carries, so
    # that every session opened before ends at its next request, wherever it is stored.
    session_generation = models.PositiveIntegerField("поколение сеансов", default=0, editable=False)

    class Meta(AbstractUser.Meta):
        verbose_name = "пользователь"
        verbose_name_plural = "пользователи"

    def _get_session_auth_hash(self, secret=None) -> str:
        # Django's hash of the password (also behind SECRET_KEY_FALLBACKS), with the generation
        # mixed in once it is raised: sessions of users who never ended all keep their hash.
        digest = super()._get_session_auth_hash(secret=secret)
        if not self.session_generation:
            return digest
        return salted_hmac(
            "kabinet.core.User.session_generation",
            f"{digest}:{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class Company(models.Model):
    """The one housing management company this installation serves (a single row, pk=1)."""

    name = models.CharField("название", max_length=200, default="Управляющая компания")
    short_name = models.CharField("краткое название", max_length=80, default="УК")
    address = models.CharField("адрес офиса", max_length=300, blank=True)
    phone = models.CharField("телефон", max_length=40, blank=True)
    emergency_phone = models.CharField(
        "телефон аварийно-диспетчерской службы",
        max_length=40,
        blank=True,
        help_text="Стоит в шапке каждой страницы сайта и кабинета.",
    )
    emergency_hours = models.CharField(
        "часы работы аварийно-диспетчерской службы", max_length=100, blank=True, default="круглосуточно"
    )
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
    appeal_reopen_days = models.PositiveSmallIntegerField(
        "возобновить обращение можно, дней",
        default=30,
        help_text=(
            "Сколько дней после закрытия обращения житель может вернуть его в работу, если проблема "
            "не решена. 0 — нельзя: житель пишет новое обращение."
        ),
    )

    # Payment details (реквизиты) for receipts and the payment QR code (ГОСТ Р 56042-2014).
    # The operator of personal data as the consent must name it (152-ФЗ ст. 9 ч. 4 п. 2).
    legal_address = models.CharField(
        "юридический адрес",
        max_length=300,
        blank=True,
        help_text="Адрес из ЕГРЮЛ. Если пусто, в согласии на обработку данных стоит адрес офиса.",
    )
    ogrn = models.CharField(
        "ОГРН",
        max_length=15,
        blank=True,
        validators=[validators.validate_ogrn],
        help_text="13 цифр; ОГРНИП — 15.",
    )
    inn = models.CharField("ИНН", max_length=12, blank=True, validators=[validators.validate_inn])
    kpp = models.CharField("КПП", max_length=9, blank=True, validators=[validators.validate_kpp])
    bank_name = models.CharField(
        "банк",
        max_length=45,
        blank=True,
        help_text="Как в реквизитах, не длиннее 45 знаков (так требует QR-код).",
    )
    bik = models.CharField("БИК", max_length=9, blank=True, validators=[validators.validate_bik])
    settlement_account = models.CharField(
        "расчётный счёт", max_length=20, blank=True, validators=[validators.validate_account_number]
    )
    correspondent_account = models.CharField(
        "корреспондентский счёт", max_length=20, blank=True, validators=[validators.validate_account_number]
    )

    class Meta:
        verbose_name = "управляющая компания"
        verbose_name_plural = "управляющая компания"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        errors = {}
        if validators.is_bik(self.bik):
            checks = (("settlement_account", False), ("correspondent_account", True))
            for name, correspondent in checks:
                account = getattr(self, name)
                if validators.is_account(account) and not validators.account_key_matches(
                    bik=self.bik, account=account, correspondent=correspondent
                ):
                    errors[name] = ValidationError(
                        "Счёт не сходится с БИК по контрольному ключу: проверьте цифры счёта и БИК."
                    )
        if errors:
            raise ValidationError(errors)

    @property
    def has_payment_details(self) -> bool:
        """Whether a receipt can carry a payment QR code: every required detail is filled in."""
        return all(
            (
                self.name,
                self.inn,
                self.bank_name,
                self.bik,
                self.settlement_account,
                self.correspondent_account,
            )
        )

    @property
    def operator_details(self) -> str:
        """The operator of personal data, as the consent names it: «ООО «…», адрес: …, ИНН …, ОГРН …»."""
        parts = [self.name]
        if self.legal_address or self.address:
            parts.append(f"адрес: {self.legal_address or self.address}")
        parts += [f"{label} {value}" for label, value in (("ИНН", self.inn), ("ОГРН", self.ogrn)) if value]
        return ", ".join(parts)

    @property
    def names_the_operator(self) -> bool:
        """Whether the consent can name the operator as the law asks: name, address, ИНН, ОГРН."""
        return all((self.name, self.legal_address or self.address, self.inn, self.ogrn))

    @classmethod
    def load(cls) -> "Company":
        # Read on every page (the header, the menu): kept in the cache, forgotten when saved.
        return caching.kept(cls, 1, lambda: cls.objects.get_or_create(pk=1)[0])


class LimitCounter(models.Model):
    """A live rate-limit counter, when no Redis is configured (kabinet.core.counters).

    A table of its own, never the general cache: a cache culls entries when it fills, and a
    culled counter is a lock-out that silently ends. Rows past `expires_at` count as absent and
    are deleted from time to time.
    """

    key = models.CharField(max_length=80, primary_key=True)
    count = models.IntegerField(default=0)
    expires_at = models.FloatField(db_index=True)  # Unix time: compared in SQL on both databases

    class Meta:
        verbose_name = "счётчик ограничения"
        verbose_name_plural = "счётчики ограничений"

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"


class WorkerHeartbeat(models.Model):
    """The last sign of life of one background worker process (`kabinet.core.worker`).

    `/readyz` and the metrics read the newest beat per kind: a worker that stopped beating for
    longer than `KABINET_HEARTBEAT_MAX_AGE_SECONDS` is reported, its rows stay for the record.
    """

    kind = models.CharField("обработчик", max_length=30)
    worker = models.CharField("процесс", max_length=100)
    started_at = models.DateTimeField("запущен")
    beat_at = models.DateTimeField("последний признак жизни", db_index=True)
    rounds = models.PositiveIntegerField("проходов", default=0)

    class Meta:
        verbose_name = "обработчик в фоне"
        verbose_name_plural = "обработчики в фоне"
        constraints = [models.UniqueConstraint(fields=["kind", "worker"], name="one_heartbeat_per_worker")]

    def __str__(self) -> str:
        return f"{self.kind} {self.worker}"
