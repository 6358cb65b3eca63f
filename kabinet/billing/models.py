import datetime

from django.conf import settings
from django.db import models
from django.db.models.functions import Length, Round
from django.db.models.lookups import Exact

from kabinet.core import formats, normalize

UNIFIED_NUMBER_LENGTH = 10  # ЕЛС
SERVICE_ID_LENGTH = 13  # ИЖКУ


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
    # Identifiers ГИС ЖКХ gives the account (kabinet/gis, docs/gis-zhkh.md): the ЕЛС, 10 characters,
    # names the payer and the premises; the ИЖКУ, 13, is the ЕЛС, «-» and the number of this
    # company's services among the payer's, so it names this account alone.
    unified_number = models.CharField(
        "ЕЛС (единый лицевой счёт в ГИС ЖКХ)",
        max_length=UNIFIED_NUMBER_LENGTH,
        blank=True,
        help_text="10 знаков, присваивает ГИС ЖКХ. Например, 50ВН274718.",
    )
    service_id = models.CharField(
        "идентификатор ЖКУ (ИЖКУ)",
        max_length=SERVICE_ID_LENGTH,
        blank=True,
        help_text="13 знаков: ЕЛС, дефис и две цифры. Например, 50ВН274718-01.",
    )
    created_at = models.DateTimeField("загружен", auto_now_add=True)
    updated_at = models.DateTimeField("обновлён", auto_now=True)

    class Meta:
        verbose_name = "лицевой счёт"
        verbose_name_plural = "лицевые счета"
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unified_number="")
                | models.Q(Exact(Length("unified_number"), UNIFIED_NUMBER_LENGTH)),
                name="account_unified_number_length",
            ),
            models.CheckConstraint(
                condition=models.Q(service_id="") | models.Q(Exact(Length("service_id"), SERVICE_ID_LENGTH)),
                name="account_service_id_length",
            ),
            models.UniqueConstraint(
                fields=["service_id"], condition=~models.Q(service_id=""), name="account_service_id_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} — {self.address}"

    def holder_matches(self, full_name: str) -> bool:
        return normalize.names_match(self.holder_name, full_name)


# --- Charges, payments and balances ----------------------------------------------------------
#
# Money is Decimal with kopecks (2 places); volumes and tariffs keep the precision meters and
# tariff orders use. The books are kept consistent by the database itself (CHECK and UNIQUE
# constraints), because the imports write with set-based SQL that never runs `clean()`.

MONEY = {"max_digits": 14, "decimal_places": 2}


def _sum(expression: models.Expression) -> Round:
    """A money sum for a CHECK: SQLite adds decimals as floats (0.1 + 0.2 ≠ 0.3), so the sum is
    rounded to kopecks before it is compared; on PostgreSQL the rounding changes nothing."""
    return Round(expression, 2)


class Service(models.Model):
    """Услуга: a line of the payment document (содержание жилья, ХВС, электроэнергия…).

    Known by the billing system's code; the imports create a service the first time its code
    appears and keep its name up to date.
    """

    code = models.CharField("код в системе начислений", max_length=30, unique=True)
    name = models.CharField("название", max_length=150)
    unit = models.CharField(
        "единица измерения", max_length=20, blank=True, help_text="Например, м³ или кВт·ч."
    )
    order = models.PositiveSmallIntegerField(
        "порядок в квитанции", default=100, help_text="Услуги показываются по возрастанию."
    )
    # Penalties (пени, ЖК РФ ст. 155 ч. 14) come from the billing system as a line of their own:
    # shown apart from the services in the charges and the receipt. Set by the import for a code
    # or name «пени» (imports/accrual_rows.py: save_services), or by staff.
    is_penalty = models.BooleanField(
        "пени",
        default=False,
        db_default=False,
        help_text="Строка пеней за несвоевременную оплату: в начислениях и квитанции — отдельно от услуг.",
    )

    class Meta:
        verbose_name = "услуга"
        verbose_name_plural = "услуги"
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class VolumeSource(models.TextChoices):
    """How the billing system found the volume of an accrual line (Правила №354)."""

    METER = "meter", "по прибору учёта"
    AVERAGE = "average", "по среднемесячному объёму"
    NORM = "norm", "по нормативу"
    AREA = "area", "по площади помещения"
    FIXED = "fixed", "фиксированная плата"


class Accrual(models.Model):
    """Начисление: one service for one account in one period, as the billing system computed it.

    `to_pay = accrued + recalculation − benefit`; `accrued` is normally tariff × volume (the
    billing system's rounding is kept as given, so it is not enforced). A negative
    recalculation is a refund; `to_pay` may then be negative.

    On PostgreSQL the table is partitioned by period (migration 0004): an import by the COPY
    road loads its file into a table of its own and attaches it as one partition holding the
    file's months (imports/copyroad/partitions.py); rows written otherwise go to the partition holding their
    month, or to the default partition. There the table has no primary key (one would have to
    be (id, period) and cost every import a B-tree): ids come from one sequence, a BRIN index
    finds one (migration 0006), and the unique (account, period, service) key is the row's.
    """

    # Keyed by the account's number and the service's code, as the billing file names them: on
    # PostgreSQL the file's columns then go into the table with COPY as they are (partitions.py).
    # No separate indexes on the two keys: the unique (account, period, service) index serves the
    # account's reads, and every index costs time when a million lines are imported.
    account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        to_field="number",
        related_name="accruals",
        verbose_name="лицевой счёт",
        db_index=False,
    )
    period = models.DateField("период", help_text="Первое число месяца.")
    service = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        to_field="code",
        related_name="accruals",
        verbose_name="услуга",
        db_index=False,
    )
    tariff = models.DecimalField("тариф, ₽", max_digits=14, decimal_places=4, null=True, blank=True)
    volume = models.DecimalField("объём", max_digits=16, decimal_places=6, null=True, blank=True)
    unit = models.CharField("единица", max_length=20, blank=True)
    volume_source = models.CharField(
        "как определён объём", max_length=10, choices=VolumeSource.choices, blank=True
    )
    accrued = models.DecimalField("начислено, ₽", **MONEY)
    recalculation = models.DecimalField("перерасчёт, ₽", default=0, **MONEY)
    recalculation_reason = models.TextField("причина перерасчёта", blank=True)
    benefit = models.DecimalField("льгота, ₽", default=0, **MONEY)
    to_pay = models.DecimalField("к оплате, ₽", **MONEY)

    class Meta:
        verbose_name = "начисление"
        verbose_name_plural = "начисления"
        ordering = ["account", "-period", "service__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "period", "service"],
                name="accrual_one_per_service",
                # On PostgreSQL (elsewhere ignored) the keys are compared byte by byte, not in the
                # database's collation: they are codes, not words, and an import of a million
                # lines builds this index in two thirds of the time.
                opclasses=["varchar_pattern_ops", "date_ops", "varchar_pattern_ops"],
            ),
            models.CheckConstraint(condition=models.Q(period__day=1), name="accrual_period_first_day"),
            models.CheckConstraint(condition=models.Q(accrued__gte=0), name="accrual_accrued_not_negative"),
            models.CheckConstraint(condition=models.Q(benefit__gte=0), name="accrual_benefit_not_negative"),
            models.CheckConstraint(
                condition=models.Q(tariff__isnull=True) | models.Q(tariff__gte=0),
                name="accrual_tariff_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(volume__isnull=True) | models.Q(volume__gte=0),
                name="accrual_volume_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    to_pay=_sum(models.F("accrued") + models.F("recalculation") - models.F("benefit"))
                ),
                name="accrual_to_pay_adds_up",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.service.name} за {formats.month(self.period)}, л/с {self.account_id}: "
            f"{formats.money(self.to_pay)}"
        )


class PaymentSource(models.TextChoices):
    BILLING = "billing", "из системы начислений"
    ONLINE = "online", "онлайн в кабинете"
    BANK = "bank", "банк (реестр, выписка)"


class Payment(models.Model):
    """Оплата: money received for an account.

    `period` is the month the payment counts in for the balance (the month of `paid_on` unless
    the billing system says otherwise). Imports replace only payments of source «billing»;
    online payments are recorded by the payments app; bank payments (registries, statements,
    imports/bank/) are added once each, by the bank's operation id, and never replaced.
    `external_id` is the id the source gave (billing document number, the provider's payment
    id, the bank's operation), unique per source where present.
    """

    account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name="лицевой счёт",
        db_index=False,  # the (account, -paid_on) index serves it
    )
    paid_on = models.DateField("дата оплаты")
    period = models.DateField("учтена в периоде", help_text="Первое число месяца.")
    amount = models.DecimalField("сумма, ₽", **MONEY)
    source = models.CharField("источник", max_length=10, choices=PaymentSource.choices)
    external_id = models.CharField("номер в источнике", max_length=64, blank=True)
    note = models.CharField("где оплачено", max_length=200, blank=True)
    created_at = models.DateTimeField("записана", auto_now_add=True)

    class Meta:
        verbose_name = "оплата"
        verbose_name_plural = "оплаты"
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(condition=models.Q(period__day=1), name="payment_period_first_day"),
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~models.Q(external_id=""),
                name="payment_external_id_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "-paid_on"], name="payment_account_paid_on"),
            # Only the billing system's payments are looked up by period (an import replaces
            # its months, imports/payments.py); a bank's or an online payment need not keep it.
            models.Index(
                fields=["period"], name="payment_billing_period", condition=models.Q(source="billing")
            ),
        ]

    def __str__(self) -> str:
        return (
            f"Оплата {formats.money(self.amount)} от {formats.date(self.paid_on)}, л/с {self.account.number}"
        )


class AccountPeriod(models.Model):
    """Сальдо: the balance of one account for one period, so the cabinet reads it in one row.

    Sign: a balance above zero is a DEBT (the resident owes), below zero an OVERPAYMENT
    (аванс). `closing_balance = opening_balance + accrued − paid`; the next period opens with
    this period's closing balance. `accrued` is the period's total to pay (the sum of its
    accruals' `to_pay`), `paid` the sum of the payments counted in the period; `charged` says whether it has
    accruals at all (their total may be zero). Rebuilt by
    `balances.rebuild_balances` after every import; never edited by hand.
    """

    account = models.ForeignKey(
        Account,
        on_delete=models.CASCADE,
        related_name="periods",
        verbose_name="лицевой счёт",
        db_index=False,  # the unique (account, period) index serves it
    )
    period = models.DateField("период", help_text="Первое число месяца.")
    opening_balance = models.DecimalField("долг (+) или аванс (−) на начало, ₽", **MONEY)
    accrued = models.DecimalField("начислено к оплате, ₽", **MONEY)
    paid = models.DecimalField("оплачено, ₽", **MONEY)
    closing_balance = models.DecimalField("долг (+) или аванс (−) на конец, ₽", **MONEY)
    due_date = models.DateField("оплатить до")
    # Whether the month has accruals (a month of payments only has none): the cabinet's list of
    # months and its chart read these rows, not the accruals of every month's partition.
    charged = models.BooleanField("есть начисления", default=False, db_default=False)

    class Meta:
        verbose_name = "сальдо за период"
        verbose_name_plural = "сальдо по периодам"
        ordering = ["account", "-period"]
        constraints = [
            models.UniqueConstraint(fields=["account", "period"], name="account_period_unique"),
            models.CheckConstraint(condition=models.Q(period__day=1), name="account_period_first_day"),
            models.CheckConstraint(condition=models.Q(paid__gte=0), name="account_period_paid_not_negative"),
            models.CheckConstraint(
                condition=models.Q(
                    closing_balance=_sum(models.F("opening_balance") + models.F("accrued") - models.F("paid"))
                ),
                name="account_period_balance_adds_up",
            ),
            models.CheckConstraint(
                condition=models.Q(due_date__gt=models.F("period")), name="account_period_due_after"
            ),
        ]

    def __str__(self) -> str:
        balance = self.closing_balance
        state = "долг" if balance > 0 else "аванс" if balance < 0 else "без долга"
        return (
            f"Сальдо за {formats.month(self.period)}, л/с {self.account.number}: "
            f"{state} {formats.money(abs(balance))}"
        )

    @property
    def amount_due(self):
        """What to pay for this period: the closing debt, or nothing when there is an advance."""
        return max(self.closing_balance, 0)


class ImportProfile(models.Model):
    """Профиль файла: how a billing system's own export maps onto Kabinet's columns.

    `mapping` is {Kabinet's column: the file's column}, or a list of the file's columns whose
    values are joined (ФИО in three columns, an address in five). Saved once by the operator on
    the «Столбцы файла» page, or shipped built in (docs/billing-formats.md), and used for every
    next file of that layout (imports/mapping.py).
    """

    class FileFormat(models.TextChoices):
        CSV = "csv", "CSV или текст"
        XLSX = "xlsx", "Excel (XLSX)"
        DBF = "dbf", "DBF"

    class Encoding(models.TextChoices):
        UTF8 = "utf-8", "UTF-8"
        CP1251 = "cp1251", "Windows-1251"
        CP866 = "cp866", "DOS (cp866)"

    name = models.SlugField(
        "имя профиля",
        max_length=40,
        help_text="Латинскими буквами, цифрами и дефисами: по этому имени профиль указывают "
        "при загрузке из командной строки.",
    )
    title = models.CharField("название", max_length=150)
    kind = models.CharField("что в файле", max_length=20)
    file_format = models.CharField(
        "формат файла",
        max_length=4,
        choices=FileFormat.choices,
        blank=True,
        help_text="Пусто — по расширению файла.",
    )
    separator = models.CharField(
        "разделитель",
        max_length=3,
        blank=True,
        help_text="Для CSV. Пусто — определить по файлу; «\\t» — табуляция.",
    )
    encoding = models.CharField(
        "кодировка",
        max_length=10,
        choices=Encoding.choices,
        blank=True,
        help_text="Пусто — определить по файлу.",
    )
    header_row = models.PositiveSmallIntegerField(
        "строка заголовка",
        default=1,
        help_text="Номер строки с названиями столбцов; 0 — заголовка нет, "
        "столбцы называются номерами: 1, 2, 3…",
    )
    mapping = models.JSONField("столбцы", default=dict)
    built_in = models.BooleanField("встроенный", default=False)
    created_at = models.DateTimeField("создан", auto_now_add=True)
    updated_at = models.DateTimeField("изменён", auto_now=True)

    class Meta:
        verbose_name = "профиль файла"
        verbose_name_plural = "профили файлов"
        ordering = ["kind", "title"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="import_profile_name"),
            models.CheckConstraint(
                condition=models.Q(header_row__lte=1000), name="import_profile_header_row"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ImportJob(models.Model):
    """A billing file uploaded in the back-office, imported by the billing worker (`run_billing_worker`).

    The file is kept under VAR_DIR/imports (outside the web root) while the job waits and runs,
    and deleted IMPORT_UPLOAD_KEEP_DAYS after it ended (`purge_old_uploads`); the job keeps its
    summary and report. Progress is the share of the file's bytes read; the report keeps every
    bad row, one per line.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "в очереди"
        RUNNING = "running", "загружается"
        DONE = "done", "загружен"
        FAILED = "failed", "не загружен"
        MAPPING = "mapping", "ждёт сопоставления столбцов"

    kind = models.CharField("что в файле", max_length=20)
    file_name = models.CharField("файл", max_length=255)
    stored_path = models.CharField("где хранится", max_length=500)
    skip_bad = models.BooleanField("пропускать строки с ошибками", default=False)
    profile = models.CharField(
        "профиль реестра банка", max_length=30, blank=True, help_text="Пусто — определить по файлу."
    )
    # The file's own column layout (imports/mapping.py); empty: Kabinet's layout.
    column_profile = models.ForeignKey(
        ImportProfile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="формат файла",
    )
    status = models.CharField("состояние", max_length=10, choices=Status.choices, default=Status.QUEUED)
    bytes_total = models.BigIntegerField("размер файла, байт", default=0)
    bytes_done = models.BigIntegerField("прочитано, байт", default=0)
    rows_done = models.BigIntegerField("прочитано строк", default=0)
    error_count = models.PositiveIntegerField("строк с ошибками", default=0)
    summary = models.TextField("итог", blank=True)
    report = models.TextField("отчёт по строкам", blank=True)
    created_by = models.ForeignKey(
        "core.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="загрузил",
    )
    created_at = models.DateTimeField("загружен", auto_now_add=True)
    started_at = models.DateTimeField("начат", null=True, blank=True)
    finished_at = models.DateTimeField("закончен", null=True, blank=True)
    file_purged_at = models.DateTimeField("файл удалён", null=True, blank=True)

    class Meta:
        verbose_name = "загрузка файла"
        verbose_name_plural = "загрузки файлов"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(bytes_done__lte=models.F("bytes_total")), name="import_job_progress"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(self.bytes_done * 100 / self.bytes_total) if self.bytes_total else 0

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def file_kept_until(self) -> datetime.datetime | None:
        """When the uploaded file is deleted; None while the job waits or runs, or once deleted."""
        if not self.finished or self.finished_at is None or self.file_purged_at is not None:
            return None
        return self.finished_at + datetime.timedelta(days=settings.IMPORT_UPLOAD_KEEP_DAYS)


# --- Bank registries and statements (imports/bank/) ------------------------------------------


class PaymentRegistry(models.Model):
    """Реестр платежей банка: one file of payments a bank (the agent) took from residents, with the
    totals of its closing line and the payment order that moved the money."""

    profile = models.CharField("профиль", max_length=30)
    file_name = models.CharField("файл", max_length=255)
    rows = models.PositiveIntegerField("платежей")
    total = models.DecimalField("сумма, ₽", **MONEY)
    transferred = models.DecimalField("перечислено, ₽", null=True, blank=True, **MONEY)
    commission = models.DecimalField("комиссия, ₽", null=True, blank=True, **MONEY)
    order_number = models.CharField("номер платёжного поручения", max_length=30, blank=True)
    order_date = models.DateField("дата платёжного поручения", null=True, blank=True)
    imported_at = models.DateTimeField("загружен", auto_now_add=True)

    class Meta:
        verbose_name = "реестр платежей банка"
        verbose_name_plural = "реестры платежей банка"
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.file_name}: {self.rows} на {formats.money(self.total)}"


class UnmatchedPayment(models.Model):
    """Неразнесённый платёж: money a bank file brought for an account Kabinet does not know (or
    whose number the statement's purpose does not name). It waits for an operator, who assigns
    it to an account (`services.assign_unmatched_payment`); it then becomes a `Payment` with the
    same operation id, so that a later file bringing it again changes nothing."""

    class Source(models.TextChoices):
        REGISTRY = "registry", "реестр платежей"
        STATEMENT = "statement", "выписка банка"

    class Status(models.TextChoices):
        WAITING = "waiting", "ждёт разнесения"
        ASSIGNED = "assigned", "разнесён"

    source = models.CharField("откуда", max_length=10, choices=Source.choices)
    file_name = models.CharField("файл", max_length=255)
    line = models.PositiveIntegerField("строка файла")
    external_id = models.CharField("номер операции банка", max_length=64, unique=True)
    paid_on = models.DateField("дата оплаты")
    period = models.DateField("период", null=True, blank=True, help_text="Первое число месяца.")
    amount = models.DecimalField("сумма, ₽", **MONEY)
    account_text = models.CharField("лицевой счёт в файле", max_length=60, blank=True)
    payer = models.CharField("плательщик", max_length=300, blank=True)
    address = models.CharField("адрес", max_length=300, blank=True)
    purpose = models.TextField("назначение платежа", blank=True)
    reason = models.CharField("почему не разнесён", max_length=300)
    status = models.CharField("состояние", max_length=10, choices=Status.choices, default=Status.WAITING)
    payment = models.OneToOneField(
        Payment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="unmatched",
        verbose_name="оплата",
    )
    assigned_by = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="разнёс"
    )
    assigned_at = models.DateTimeField("разнесён", null=True, blank=True)
    created_at = models.DateTimeField("получен", auto_now_add=True)

    class Meta:
        verbose_name = "неразнесённый платёж"
        verbose_name_plural = "неразнесённые платежи"
        ordering = ["status", "-paid_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="unmatched_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(status="waiting", payment__isnull=True)
                | models.Q(status="assigned", payment__isnull=False),
                name="unmatched_assigned_has_payment",
            ),
        ]

    def __str__(self) -> str:
        account = self.account_text or "без счёта"
        return f"{formats.money(self.amount)} от {formats.date(self.paid_on)} ({account})"


class BankAgent(models.Model):
    """Платёжный агент: a bank that takes residents' payments and sends the company a registry,
    then the money in one lump sum. In a statement, a payment from an agent (by its ИНН or account,
    or by the purpose text) is that lump sum: its payments come in the registry, not from here."""

    name = models.CharField("название", max_length=200)
    inn = models.CharField("ИНН", max_length=12, blank=True)
    account = models.CharField("счёт, с которого приходят деньги", max_length=20, blank=True)
    purpose_words = models.CharField(
        "слова в назначении платежа",
        max_length=200,
        blank=True,
        help_text="Через запятую, например: «по реестру, реестр платежей». Регистр не важен.",
    )

    class Meta:
        verbose_name = "платёжный агент (банк)"
        verbose_name_plural = "платёжные агенты (банки)"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PurposePattern(models.Model):
    """A way the company's payers write the account number (and the month) in a payment order's
    «Назначение платежа»: a regular expression with the group `account` and, if it can, `period`
    (`MM.YYYY`, `MMYYYY`, or a month's name and year). Tried before the built-in ones."""

    name = models.CharField("название", max_length=100)
    regex = models.CharField(
        "регулярное выражение",
        max_length=500,
        help_text="Группа (?P<account>…) — номер лицевого счёта; (?P<period>…) — месяц, если указан.",
    )
    order = models.PositiveSmallIntegerField("порядок", default=100)
    active = models.BooleanField("действует", default=True)

    class Meta:
        verbose_name = "шаблон назначения платежа"
        verbose_name_plural = "шаблоны назначения платежа"
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        import re

        from django.core.exceptions import ValidationError

        try:
            compiled = re.compile(self.regex, re.IGNORECASE)
        except re.error as exc:
            raise ValidationError({"regex": f"Выражение не разбирается: {exc}."}) from None
        if "account" not in compiled.groupindex:
            raise ValidationError({"regex": "Нужна группа (?P<account>…) — номер лицевого счёта."})


class AgentTransfer(models.Model):
    """Перечисление агента: a lump sum from a bank agent in a statement, the money of a registry's
    payments. Kept to be seen beside the registry it pays; never a payment of its own."""

    statement_file = models.CharField("выписка", max_length=255)
    agent = models.ForeignKey(
        BankAgent, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="агент"
    )
    external_id = models.CharField("документ", max_length=64, unique=True)
    number = models.CharField("номер поручения", max_length=30)
    date = models.DateField("дата")
    amount = models.DecimalField("сумма, ₽", **MONEY)
    payer = models.CharField("плательщик", max_length=300)
    purpose = models.TextField("назначение платежа", blank=True)
    registry = models.ForeignKey(
        PaymentRegistry,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="transfers",
        verbose_name="реестр",
    )
    created_at = models.DateTimeField("получено", auto_now_add=True)

    class Meta:
        verbose_name = "перечисление агента"
        verbose_name_plural = "перечисления агентов"
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"№ {self.number} от {formats.date(self.date)}: {formats.money(self.amount)}"
