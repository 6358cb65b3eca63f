from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from kabinet.billing.models import Account
from kabinet.core import formats
from kabinet.core.models import Company

# Where a policy text names the operator of personal data; replaced by the company's details.
OPERATOR_MARK = "{оператор}"


class ReminderChannel(models.TextChoices):
    """How a resident wants to hear that the meter-reading window has opened (chosen in the profile)."""

    SMS = "sms", "SMS"
    EMAIL = "email", "Электронная почта"
    NONE = "none", "Не напоминать"


class Resident(models.Model):
    """Житель: a person with a cabinet. Signs in with the number of any of their accounts."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="учётная запись",
        on_delete=models.CASCADE,
        related_name="resident",
    )
    full_name = models.CharField("ФИО", max_length=200)
    phone = models.CharField("мобильный телефон", max_length=16)
    accounts = models.ManyToManyField(Account, through="ResidentAccount", related_name="residents")
    reminder_channel = models.CharField(
        "напоминания о показаниях", max_length=8, choices=ReminderChannel.choices, default=ReminderChannel.SMS
    )
    created_at = models.DateTimeField("зарегистрирован", default=timezone.now)

    class Meta:
        verbose_name = "житель"
        verbose_name_plural = "жители"

    def __str__(self) -> str:
        return self.full_name


class ResidentAccount(models.Model):
    """An active registration: the account belongs to this resident's cabinet, and to no other."""

    resident = models.ForeignKey(
        Resident, verbose_name="житель", on_delete=models.CASCADE, related_name="account_links"
    )
    account = models.OneToOneField(
        Account, verbose_name="лицевой счёт", on_delete=models.PROTECT, related_name="registration"
    )
    linked_at = models.DateTimeField("подключён", default=timezone.now)

    class Meta:
        verbose_name = "подключённый лицевой счёт"
        verbose_name_plural = "подключённые лицевые счета"

    def __str__(self) -> str:
        return f"{self.account.number} — {self.resident}"


class PolicyDocument(models.Model):
    """A versioned text a resident accepts: the privacy policy or the separate consent to the
    processing of personal data (152-ФЗ, a document of its own since 1 September 2025)."""

    class Kind(models.TextChoices):
        PRIVACY = "privacy", "Положение о конфиденциальности"
        CONSENT = "consent", "Согласие на обработку персональных данных"

    kind = models.CharField("документ", max_length=10, choices=Kind.choices)
    version = models.CharField(
        "редакция",
        max_length=40,
        help_text="Например, дата утверждения в виде ГГГГ-ММ-ДД: на сайте она читается «от 1 сентября 2025».",
    )
    title = models.CharField("заголовок", max_length=200)
    text = models.TextField(
        "текст",
        help_text="«{оператор}» в тексте заменяется названием, адресом, ИНН и ОГРН управляющей компании "
        "(«Общие настройки» → «Управляющая компания»).",
    )
    published_at = models.DateTimeField("действует с", default=timezone.now)

    class Meta:
        verbose_name = "документ о персональных данных"
        verbose_name_plural = "документы о персональных данных"
        ordering = ["kind", "-published_at"]
        constraints = [models.UniqueConstraint(fields=["kind", "version"], name="policy_version_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, редакция {self.version_shown}"

    @property
    def version_shown(self) -> str:
        """«от 1 сентября 2025» for a version named by its date (as the back-office suggests),
        otherwise the version as staff wrote it."""
        try:
            return "от " + formats.date(date.fromisoformat(self.version.strip()))
        except ValueError:
            return self.version

    @property
    def shown_text(self) -> str:
        """The text as residents read it: «{оператор}» becomes the company's name, address, ИНН and
        ОГРН (the consent names the operator of personal data, 152-ФЗ ст. 9 ч. 4 п. 2)."""
        if OPERATOR_MARK not in self.text:
            return self.text
        return self.text.replace(OPERATOR_MARK, Company.load().operator_details)

    @classmethod
    def current(cls, kind: str) -> "PolicyDocument | None":
        return (
            cls.objects.filter(kind=kind, published_at__lte=timezone.now()).order_by("-published_at").first()
        )


class RegistrationRequest(models.Model):
    """Заявка на регистрацию, from the form to the confirmed code."""

    class Status(models.TextChoices):
        PENDING = "pending", "на проверке"
        APPROVED = "approved", "одобрена, ждёт кода"
        COMPLETED = "completed", "регистрация завершена"
        REJECTED = "rejected", "отклонена"
        # Did not match the billing data, and a request that matches in full came for the same
        # account: it went ahead, this one waits for an operator to reject it.
        CONTESTED = "contested", "оспорена верной заявкой"

    class Kind(models.TextChoices):
        REGISTRATION = "registration", "регистрация кабинета"
        # From a resident's profile: a further account joins the cabinet (SPEC §3), by the same
        # checks as a registration; approved, it is linked at once, no code is needed.
        ACCOUNT = "account", "подключение ещё одного лицевого счёта"

    OPEN = (Status.PENDING, Status.APPROVED)

    kind = models.CharField("вид заявки", max_length=12, choices=Kind.choices, default=Kind.REGISTRATION)
    status = models.CharField("статус", max_length=10, choices=Status.choices, default=Status.PENDING)
    full_name = models.CharField("ФИО", max_length=200)
    account_number = models.CharField("номер лицевого счёта", max_length=30, db_index=True)
    phone = models.CharField("мобильный телефон", max_length=16)
    email = models.EmailField("e-mail")
    password_hash = models.CharField(max_length=256, editable=False)
    created_at = models.DateTimeField("подана", default=timezone.now, db_index=True)
    ip_address = models.GenericIPAddressField("IP-адрес", null=True, blank=True)
    user_agent = models.CharField("браузер", max_length=500, blank=True)

    # What the check against the billing data found, kept for the operators' queue.
    account = models.ForeignKey(
        Account,
        verbose_name="лицевой счёт",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registration_requests",
    )
    name_matches = models.BooleanField("ФИО совпадает", default=False)
    phone_matches = models.BooleanField(
        "телефон совпадает", null=True, help_text="Пусто: в данных начислений нет телефона."
    )
    account_free = models.BooleanField("счёт не зарегистрирован", default=False)

    decided_at = models.DateTimeField("решение принято", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="сотрудник",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_automatically = models.BooleanField("одобрена автоматически", default=False)
    rejection_reason = models.TextField("причина отказа", blank=True)
    # The applicant's page of this request (/registration/<token>/), named in the rejection SMS:
    # random, so that nobody reads another's reason by trying numbers.
    status_token = models.CharField("ключ страницы заявки", max_length=16, blank=True, db_index=True)
    completed_at = models.DateTimeField("регистрация завершена", null=True, blank=True)
    resident = models.ForeignKey(
        Resident, verbose_name="житель", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contested_by = models.ForeignKey(
        "self",
        verbose_name="оспорена заявкой",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contested",
    )

    class Meta:
        verbose_name = "заявка на регистрацию"
        verbose_name_plural = "заявки на регистрацию"
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account_number"],
                condition=Q(status__in=["pending", "approved"]),
                name="one_open_request_per_account",
            )
        ]

    def __str__(self) -> str:
        return f"Заявка №{self.pk}: {self.account_number}, {self.full_name}"

    @property
    def adds_account(self) -> bool:
        """A request from a cabinet for a further account, not a registration."""
        return self.kind == self.Kind.ACCOUNT

    @property
    def matches_billing(self) -> bool:
        """The account exists, the name is its holder's, the phone is not another one on file."""
        return self.account_id is not None and self.name_matches and self.phone_matches is not False

    @property
    def fully_matches(self) -> bool:
        return self.matches_billing and self.account_free

    @property
    def review_deadline(self):
        return self.created_at + timedelta(hours=settings.REGISTRATION_REVIEW_LIMIT_HOURS)

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.PENDING and timezone.now() > self.review_deadline


class RejectionReason(models.Model):
    """A ready-made reason to reject a registration request; the administrator keeps the list."""

    text = models.TextField(
        "текст причины",
        help_text="Так заявитель прочтёт её в письме и на странице заявки: что не совпало и что сделать.",
    )
    position = models.PositiveSmallIntegerField("порядок", default=100, help_text="Меньшее число — выше.")
    is_active = models.BooleanField("предлагать сотрудникам", default=True)

    class Meta:
        verbose_name = "причина отказа"
        verbose_name_plural = "причины отказа"
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text


class Consent(models.Model):
    """Proof of an acceptance: who, when, from where, which exact text; and its withdrawal."""

    document = models.ForeignKey(PolicyDocument, verbose_name="документ", on_delete=models.PROTECT)
    registration_request = models.ForeignKey(
        RegistrationRequest,
        verbose_name="заявка на регистрацию",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consents",
    )
    resident = models.ForeignKey(
        Resident,
        verbose_name="житель",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consents",
    )
    full_name = models.CharField("ФИО", max_length=200)
    accepted_at = models.DateTimeField("принято", default=timezone.now)
    ip_address = models.GenericIPAddressField("IP-адрес", null=True, blank=True)
    user_agent = models.CharField("браузер", max_length=500, blank=True)
    withdrawn_at = models.DateTimeField("отозвано", null=True, blank=True)
    # The operator the accepted text named at that moment (the text itself names it by «{оператор}»).
    operator_details = models.CharField("оператор персональных данных в тексте", max_length=500, blank=True)

    class Meta:
        verbose_name = "согласие"
        verbose_name_plural = "согласия и принятия положения"
        ordering = ["-accepted_at"]

    def __str__(self) -> str:
        return f"{self.full_name}: {self.document}"


class ConfirmationCode(models.Model):
    """A one-time code sent by SMS. Only a keyed hash of it is stored."""

    class Purpose(models.TextChoices):
        REGISTRATION = "registration", "подтверждение регистрации"
        PASSWORD_RESET = "password_reset", "восстановление пароля"
        PHONE_CHANGE = "phone_change", "смена телефона"
        APP_SIGNIN = "app_signin", "вход в приложение"

    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    registration_request = models.ForeignKey(
        RegistrationRequest, null=True, blank=True, on_delete=models.CASCADE, related_name="codes"
    )
    # Password reset and phone change: the resident the code is for (the phone is where it went).
    resident = models.ForeignKey(
        Resident, null=True, blank=True, on_delete=models.CASCADE, related_name="codes"
    )
    phone = models.CharField(max_length=16)
    # A password reset asked for a login without a cabinet gets a decoy: a code nobody can
    # guess, found again by this keyed digest of the login. Entering codes then answers exactly
    # as for a real cabinet, attempts and all, so the answers never tell which logins exist.
    login_digest = models.CharField(max_length=64, blank=True, db_index=True)
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "код подтверждения"
        verbose_name_plural = "коды подтверждения"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} для {self.phone}"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at
