"""The identifiers ГИС ЖКХ gives live on billing's Account and meters' Meter. The exchange's
own rows are the exports asked for in the back-office (`GisExport`: written by the billing
worker, so that a company's month never holds a web request); the proxy below gives the
exchange its page in the back-office (admin.py)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models

from kabinet.billing.models import ImportJob


class GisExchange(ImportJob):
    """The back-office page «Обмен с ГИС ЖКХ»: the files to send, the files received (the
    upload jobs of ГИС's kinds)."""

    class Meta:
        proxy = True
        verbose_name = "обмен с ГИС ЖКХ"
        verbose_name_plural = "обмен с ГИС ЖКХ"


class GisExport(models.Model):
    """A file for ГИС ЖКХ asked for in the back-office, written by the billing worker."""

    class Status(models.TextChoices):
        QUEUED = "queued", "в очереди"
        RUNNING = "running", "готовится"
        DONE = "done", "готов"
        FAILED = "failed", "не удалось"

    kind = models.CharField("что выгрузить", max_length=20)
    period = models.DateField("период")
    status = models.CharField("состояние", max_length=10, choices=Status.choices, default=Status.QUEUED)
    stored_path = models.CharField("где хранится", max_length=500, blank=True)
    summary = models.TextField("итог", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="заказал",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField("заказан", auto_now_add=True)
    started_at = models.DateTimeField("начат", null=True, blank=True)
    finished_at = models.DateTimeField("готов", null=True, blank=True)
    # The file holds residents' ФИО and addresses: deleted EXPORT_KEEP_DAYS after it was written
    # (services.purge_old_exports); the row keeps its summary and says so.
    file_purged_at = models.DateTimeField("файл удалён", null=True, blank=True)

    class Meta:
        verbose_name = "выгрузка для ГИС ЖКХ"
        verbose_name_plural = "выгрузки для ГИС ЖКХ"
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return self.file_name

    @property
    def file_name(self) -> str:
        return f"gis-{self.kind}-{self.period:%Y-%m}.xlsx"

    @property
    def file_kept_until(self) -> datetime | None:
        """When a written file is deleted; None before it is written and once it is deleted."""
        if self.status != self.Status.DONE or self.finished_at is None or self.file_purged_at is not None:
            return None
        return self.finished_at + timedelta(days=settings.EXPORT_KEEP_DAYS)
