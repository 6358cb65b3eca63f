import json
import logging
from uuid import UUID

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from kabinet.billing import selectors as billing
from kabinet.residents.cabinet import Cabinet, cabinet_page

from . import services
from .forms import PayForm
from .models import DevProviderPayment, OnlinePayment
from .providers import ProviderError

log = logging.getLogger(__name__)


@cabinet_page
def pay(request: HttpRequest, cabinet: Cabinet) -> HttpResponse:
    summary = billing.account_summary(cabinet.account)
    due = str(summary.amount_due).replace(".", ",") if summary.amount_due > 0 else ""
    form = PayForm(request.POST or None, initial={"amount": due})
    if request.method == "POST" and form.is_valid():
        try:
            payment = services.start_payment(
                account=cabinet.account,
                resident=cabinet.resident,
                amount=form.cleaned_data["amount"],
                site_url=f"{request.scheme}://{request.get_host()}",
            )
        except ProviderError as exc:
            log.warning("payment provider refused or did not answer: %s", exc)
            form.add_error(
                None,
                "Платёжный сервис сейчас не отвечает. Деньги не списаны — попробуйте через несколько минут.",
            )
        else:
            return redirect(payment.confirmation_url)
    ctx = {"form": form, "summary": summary}
    return render(request, "payments/pay.html", ctx)


@cabinet_page
def result(request: HttpRequest, cabinet: Cabinet, key: UUID) -> HttpResponse:
    payment = get_object_or_404(OnlinePayment, idempotence_key=key, account=cabinet.account)
    if payment.status == OnlinePayment.Status.PENDING:
        # The resident may be back before the notification: ask the provider now.
        try:
            payment = services.confirm_payment(provider_payment_id=payment.provider_payment_id) or payment
        except ProviderError as exc:
            log.warning("payment %s: could not ask the provider: %s", payment.pk, exc)
    return render(request, "payments/result.html", {"payment": payment})


@cabinet_page
def history(request: HttpRequest, cabinet: Cabinet) -> HttpResponse:
    ctx = {
        "payments": billing.payment_history(cabinet.account)[:120],
        "unfinished": OnlinePayment.objects.filter(account=cabinet.account)
        .exclude(status=OnlinePayment.Status.SUCCEEDED)
        .order_by("-created_at")[:10],
    }
    return render(request, "payments/history.html", ctx)


@csrf_exempt
@require_POST
def notification(request: HttpRequest) -> HttpResponse:
    """ЮKassa's webhook. Any status but 200 makes ЮKassa send it again later, which is safe."""
    try:
        services.handle_notification(json.loads(request.body))
    except ValueError:
        return HttpResponseBadRequest("not a ЮKassa notification")
    except ProviderError as exc:
        log.warning("notification not processed: %s", exc)
        return HttpResponse("try again later", status=503 if exc.retryable else 400)
    return HttpResponse("ok")


@login_required
def dev_confirm(request: HttpRequest, provider_id: str) -> HttpResponse:
    """The development provider's payment page; it exists only with PAYMENT_PROVIDER=dev."""
    if settings.PAYMENT_PROVIDER != "dev":
        raise Http404
    row = get_object_or_404(DevProviderPayment, provider_id=provider_id)
    # Only the resident who started it may decide, as only they hold the bank card.
    get_object_or_404(OnlinePayment, provider_payment_id=provider_id, resident__user=request.user)
    if request.method == "POST" and row.status == "pending":
        services.dev_decide(provider_id=provider_id, pay=request.POST.get("decision") == "pay")
        return redirect(row.return_url)
    return render(request, "payments/dev_confirm.html", {"row": row})
