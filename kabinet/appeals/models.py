from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from kabinet.billing.models import Account
from kabinet.residents.models import Resident

from .storage import appeal_storage, random_name


class AppealCategory(models.Model):
    """What an appeal is about («Сантехника», «Начисления и оплата»…); staff keep the list."""

    name = models.CharField("название", max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(
        "порядок", default=100, help_text="Меньшее число — выше в списке у жителя."
    )
    is_active = models.BooleanField(
        "показывать жителям", default=True, help_text="Скрытая категория остаётся у старых обращений."
    )
    answer_days = models.PositiveSmallIntegerField(
        "срок ответа, дней",
        null=True,
        blank=True,
        help_text="Сколько календарных дней житель ждёт ответа по этой теме. Пусто — общий срок компании.",
    )

    class Meta:
        verbose_name = "категория обращений"
        verbose_name_plural = "категории обращений"
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Appeal(models.Model):
    """Обращение: a resident's message to the administration about one of their accounts."""

    class Status(models.TextChoices):
        NEW = "new", "новое"
        IN_PROGRESS = "in_progress", "в работе"
        DONE = "done", "выполнено"
        REJECTED = "rejected", "отклонено"

    OPEN = (Status.NEW, Status.IN_PROGRESS)
    CLOSED = (Status.DONE, Status.REJECTED)

    account = models.ForeignKey(
        Account, verbose_name="лицевой счёт", on_delete=models.PROTECT, related_name="appeals"
    )
    resident = models.ForeignKey(
        Resident, verbose_name="житель", null=True, on_delete=models.SET_NULL, related_name="appeals"
    )
    category = models.ForeignKey(
        AppealCategory, verbose_name="категория", on_delete=models.PROTECT, related_name="appeals"
    )
    text = models.TextField("текст обращения")
    status = models.CharField("статус", max_length=12, choices=Status.choices, default=Status.NEW)
    created_at = models.DateTimeField("поступило", default=timezone.now, db_index=True)
    answered_at = models.DateTimeField(
        "ответ дан",
        null=True,
        blank=True,
        help_text="Когда сотрудник ответил жителю; после возобновления обращения ответа ждут заново.",
    )
    # The conversation both ways (issue 15, 4): when the resident last wrote and waits for the
    # company (cleared by an operator's answer), when the appeal was closed and reopened.
    resident_wrote_at = models.DateTimeField("новое сообщение жителя", null=True, blank=True)
    closed_at = models.DateTimeField("закрыто", null=True, blank=True)
    reopened_at = models.DateTimeField("возобновлено жителем", null=True, blank=True)
    updated_at = models.DateTimeField("изменено", auto_now=True)

    class Meta:
        verbose_name = "обращение"
        verbose_name_plural = "обращения"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["account", "-created_at"], name="appeal_account_idx")]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="appeal_text_not_empty")]

    def __str__(self) -> str:
        return f"Обращение №{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("appeals:detail", args=[self.pk])

    @property
    def answer_due_at(self):
        """When the resident is told to expect an answer: the category's term, else the company's,
        from the day it came (or was reopened)."""
        days = self.category.answer_days or settings.APPEALS_ANSWER_LIMIT_DAYS
        return (self.reopened_at or self.created_at) + timedelta(days=days)

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED

    def reopen_until(self, days: int):
        """The last moment the resident may reopen the closed appeal; None when it cannot be."""
        if not self.is_closed or not days:
            return None
        return (self.closed_at or self.updated_at) + timedelta(days=days)

    @property
    def is_overdue(self) -> bool:
        """Still open, nobody has answered, and the promised time has passed."""
        return self.status in self.OPEN and self.answered_at is None and timezone.now() > self.answer_due_at


class AppealAttachment(models.Model):
    """A photo or PDF the resident attached; stored privately under a random name."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="attachments")
    # A file the resident added later comes with their message; the first ones have none.
    reply = models.ForeignKey(
        "AppealReply", null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField("файл", storage=appeal_storage, upload_to=random_name, max_length=200)
    original_name = models.CharField("имя файла у жителя", max_length=255)
    content_type = models.CharField("тип", max_length=50)
    size = models.PositiveIntegerField("размер, байт")
    created_at = models.DateTimeField("загружен", default=timezone.now)

    class Meta:
        verbose_name = "вложение"
        verbose_name_plural = "вложения"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("appeals:attachment", args=[self.pk])

    @property
    def size_display(self) -> str:
        if self.size >= 1024 * 1024:
            return f"{self.size / (1024 * 1024):.1f} МБ".replace(".", ",")
        return f"{max(1, round(self.size / 1024))} КБ"


class AppealReply(models.Model):
    """A step in an appeal's conversation after the appeal itself: an operator's reply and/or new
    status, or the resident's message (an answer, photos added later, a reopening)."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="replies")
    by_resident = models.BooleanField("от жителя", default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="автор",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField("ответ", blank=True)
    status = models.CharField("статус после ответа", max_length=12, choices=Appeal.Status.choices, blank=True)
    created_at = models.DateTimeField("написан", default=timezone.now)

    class Meta:
        verbose_name = "ответ на обращение"
        verbose_name_plural = "ответы на обращения"
        ordering = ["created_at", "pk"]
        constraints = [
            # A resident's message may be photos alone (they are rows of AppealAttachment).
            models.CheckConstraint(
                condition=~Q(text="") | ~Q(status="") | Q(by_resident=True), name="reply_says_something"
            )
        ]

    def __str__(self) -> str:
        return f"Ответ на обращение №{self.appeal_id}"
