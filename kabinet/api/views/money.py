"""Charges with «how calculated», receipts (PDF), payments and starting an online payment."""

import logging
from datetime import date
from uuid import UUID

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import renderers, status
from rest_framework.response import Response

from kabinet.billing import payment_documents
from kabinet.billing import selectors as billing
from kabinet.core.models import Company
from kabinet.payments import services as payments
from kabinet.payments.forms import PayForm
from kabinet.payments.models import OnlinePayment
from kabinet.payments.providers import ProviderError

from .. import serializers as out
from .base import PersonalView, checked

log = logging.getLogger(__name__)
ERRORS = {401: out.Error, 404: out.Error}
PROVIDER_DOWN = "Платёжный сервис сейчас не отвечает. Деньги не списаны — попробуйте через несколько минут."


def _period(text: str) -> date:
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise Http404 from None


def _month(row) -> dict:
    return {
        "period": row.period,
        "opening_balance": row.opening_balance,
        "accrued": row.accrued,
        "paid": row.paid,
        "closing_balance": row.closing_balance,
        "due_date": row.due_date,
    }


class ChargeMonthsView(PersonalView):
    @extend_schema(
        tags=["Начисления"],
        summary="Месяцы с начислениями: начислено, оплачено, сальдо",
        responses={200: out.Month(many=True), **ERRORS},
    )
    def get(self, request, number: str):
        rows = billing.charged_months(self.account(number))
        return Response(out.Month([_month(r) for r in rows], many=True).data)


class ChargesView(PersonalView):
    @extend_schema(
        tags=["Начисления"],
        summary="Начисления за месяц по услугам, с ответом «Как посчитано?»",
        responses={200: out.Charges, **ERRORS},
    )
    def get(self, request, number: str, period: str):
        account = self.account(number)
        document = billing.payment_document(account, _period(period))
        if document is None:
            raise Http404
        lines = []
        for line in document.lines:
            a = line.accrual
            lines.append(
                {
                    "service_name": line.service_name,
                    "unit_shown": line.unit_shown,
                    "tariff": a.tariff,
                    "volume": a.volume,
                    "volume_source": a.volume_source or "",
                    "accrued": a.accrued,
                    "recalculation": a.recalculation,
                    "recalculation_reason": a.recalculation_reason or "",
                    "benefit": a.benefit,
                    "to_pay": a.to_pay,
                    "explanation": line.explanation,
                }
            )
        data = {
            "account": account.number,
            "period": document.period,
            "lines": lines,
            "totals": document.totals,
            "balance": _month(document.balance) if document.balance else None,
            "amount_due": document.amount_due,
        }
        return Response(out.Charges(data).data)


class ReceiptListView(PersonalView):
    @extend_schema(
        tags=["Квитанции"],
        summary="Квитанции (ЕПД) по месяцам",
        responses={200: out.Receipt(many=True), **ERRORS},
    )
    def get(self, request, number: str):
        account = self.account(number)
        totals = billing.monthly_totals(account, months=36)
        items = [
            {
                "period": p,
                "to_pay": total,
                "pdf_url": reverse("api:receipt_pdf", args=[account.number, f"{p:%Y-%m}"]),
            }
            for p, total in reversed(totals)
        ]
        return Response(out.Receipt(items, many=True).data)


class PdfRenderer(renderers.BaseRenderer):
    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class ReceiptPdfView(PersonalView):
    renderer_classes = [renderers.JSONRenderer, PdfRenderer]

    @extend_schema(
        tags=["Квитанции"],
        summary="Квитанция за месяц, PDF (с QR-кодом оплаты по ГОСТ Р 56042-2014)",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="PDF"),
            (401, "application/json"): out.Error,
            (404, "application/json"): out.Error,
        },
    )
    def get(self, request, number: str, period: str):
        account = self.account(number)
        document = billing.payment_document(account, _period(period))
        if document is None:
            raise Http404
        pdf = payment_documents.kept_pdf(document, Company.load())
        response = HttpResponse(pdf, content_type="application/pdf")
        name = f"kvitanciya-{account.number}-{period}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


def _online(payment: OnlinePayment) -> dict:
    return {
        "idempotence_key": payment.idempotence_key,
        "amount": payment.amount,
        "status": payment.status,
        "get_status_display": payment.get_status_display(),
        "confirmation_url": payment.confirmation_url,
        "created_at": payment.created_at,
    }


class PaymentsView(PersonalView):
    @extend_schema(
        tags=["Оплата"],
        summary="История оплат и незавершённые онлайн-платежи",
        responses={200: out.Payments, **ERRORS},
    )
    def get(self, request, number: str):
        account = self.account(number)
        history = billing.payment_history(account)[:120]
        unfinished = (
            OnlinePayment.objects.filter(account=account)
            .exclude(status=OnlinePayment.Status.SUCCEEDED)
            .order_by("-created_at")[:10]
        )
        data = {
            "payments": [
                {
                    "amount": p.amount,
                    "paid_on": p.paid_on,
                    "source": p.source,
                    "get_source_display": p.get_source_display(),
                }
                for p in history
            ],
            "unfinished": [_online(p) for p in unfinished],
        }
        return Response(out.Payments(data).data)

    @extend_schema(
        tags=["Оплата"],
        summary="Начать онлайн-оплату: адрес страницы оплаты",
        description="Откройте confirmation_url в браузере; оплата зачисляется, когда платёжный сервис "
        "её подтвердит. Состояние — GET …/payments/{id}/.",
        request=out.StartPayment,
        responses={201: out.OnlinePayment, 400: out.Error, 503: out.Error, **ERRORS},
    )
    def post(self, request, number: str):
        account = self.account(number)
        amount = request.data.get("amount") if isinstance(request.data, dict) else None
        form = checked(PayForm({"amount": "" if amount is None else str(amount)}))
        try:
            payment = payments.start_payment(
                account=account,
                resident=self.resident,
                amount=form.cleaned_data["amount"],
                site_url=f"{request.scheme}://{request.get_host()}",
            )
        except ProviderError as exc:
            log.warning("payment provider refused or did not answer: %s", exc)
            body = {"code": "provider_unavailable", "message": PROVIDER_DOWN, "fields": {}}
            return Response(body, status=status.HTTP_503_SERVICE_UNAVAILABLE)
        return Response(out.OnlinePayment(_online(payment)).data, status=status.HTTP_201_CREATED)


class OnlinePaymentView(PersonalView):
    @extend_schema(
        tags=["Оплата"],
        operation_id="online_payment_retrieve",
        summary="Состояние онлайн-платежа (спрашивает платёжный сервис, пока платёж ожидает оплаты)",
        responses={200: out.OnlinePayment, **ERRORS},
    )
    def get(self, request, number: str, key: UUID):
        payment = get_object_or_404(OnlinePayment, idempotence_key=key, account=self.account(number))
        if payment.status == OnlinePayment.Status.PENDING:
            try:
                payment = payments.confirm_payment(provider_payment_id=payment.provider_payment_id) or payment
            except ProviderError as exc:
                log.warning("payment %s: could not ask the provider: %s", payment.pk, exc)
        return Response(out.OnlinePayment(_online(payment)).data)
