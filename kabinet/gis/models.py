"""No tables of its own: the identifiers ГИС ЖКХ gives live on billing's Account and meters'
Meter. The proxy below only gives the exchange its page in the back-office (admin.py)."""

from kabinet.billing.models import ImportJob


class GisExchange(ImportJob):
    """The back-office page «Обмен с ГИС ЖКХ»: the files to send, the files received (the
    upload jobs of ГИС's kinds)."""

    class Meta:
        proxy = True
        verbose_name = "обмен с ГИС ЖКХ"
        verbose_name_plural = "обмен с ГИС ЖКХ"
