import functools
from datetime import date

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst

from kabinet.core import formats
from kabinet.core.charts import monthly_bars
from kabinet.core.models import Company
from kabinet.residents.cabinet import Cabinet, cabinet_page

from . import payment_documents, selectors


def _period_from(text: str) -> date | None:
    """«2026-10» from the period picker; None for anything else."""
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        return None


@functools.lru_cache(maxsize=4096)
def period_options(periods: tuple[date, ...], chosen: date | None) -> SafeString:
    """The month picker's options (years of months on a long history), made once per list of
    months and choice and kept in the process."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (f"{p:%Y-%m}", mark_safe(" selected") if p == chosen else "", capfirst(formats.month(p)))
            for p in periods
        ),
    )


@cabinet_page(kept=("period",))
def charges(request: HttpRequest, cabinet: Cabinet) -> HttpResponse:
    account = cabinet.account
    # The list of months, the chart and the chosen month's balance from one read of the
    # account's balance rows; the accruals of the chosen month alone (one partition).
    months = selectors.charged_month_list(account) if account else []
    by_period = {row.period: row for row in months}
    asked = _period_from(request.GET.get("period", ""))
    period = asked if asked in by_period else (months[0].period if months else None)
    ctx = {
        "periods": [row.period for row in months],
        "period_options": period_options(tuple(row.period for row in months), period),
        "period": period,
        "period_missing": bool(request.GET.get("period")) and asked not in by_period,
        "payment_document": (
            selectors.payment_document(account, period, balance=by_period[period].balance(account))
            if period
            else None
        ),
        "chart": monthly_bars(
            selectors.monthly_totals(account, months=36, rows=months),
            unit="₽",
            title="Начислено к оплате по месяцам, ₽",
            chart_id="charges-chart",
        ),
    }
    return render(request, "billing/charges.html", ctx)


@cabinet_page
def payment_document_list(request: HttpRequest, cabinet: Cabinet) -> HttpResponse:
    totals = selectors.monthly_totals(cabinet.account, months=36) if cabinet.account else []
    ctx = {"months": [(p, formats.month(p), total) for p, total in reversed(totals)]}
    return render(request, "billing/payment_documents.html", ctx)


@cabinet_page
def payment_document_pdf(request: HttpRequest, cabinet: Cabinet, period: date) -> HttpResponse:
    document = selectors.payment_document(cabinet.account, period)
    if document is None:
        raise Http404
    pdf = payment_documents.kept_pdf(document, Company.load())
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"kvitanciya-{cabinet.account.number}-{period:%Y-%m}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
