from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kabinet.core.charts import monthly_bars
from kabinet.residents.cabinet import Cabinet, cabinet_page, not_a_resident, open_cabinet, remember_account

from . import selectors, services
from .forms import ReadingForm
from .models import Meter
from .window import russian_date


def _page(request: HttpRequest, cabinet: Cabinet, bound: ReadingForm | None = None, status: int = 200):
    page = selectors.readings_page(account=cabinet.account)
    for card in page.cards:
        if bound is not None and bound.meter.pk == card.meter.pk:
            card.form = bound
        else:
            current = card.current(page.window.period)
            shown = current.shown_values if current else []
            initial = {f"value_{i}": v for i, v in enumerate(shown, start=1)}
            card.form = ReadingForm(card.meter, initial=initial)
    ctx = {"page": page, "window": page.window, "closes": russian_date(page.window.closes)}
    return render(request, "meters/readings.html", ctx, status=status)


@cabinet_page
def readings(request: HttpRequest, cabinet: Cabinet) -> HttpResponse:
    return _page(request, cabinet)


def _own_meter(cabinet: Cabinet, meter_id: int) -> Meter:
    # Looked up among the resident's own accounts: another household's meter id is a 404.
    return get_object_or_404(selectors.account_meters(cabinet.accounts), pk=meter_id)


@require_POST
@login_required
def submit(request: HttpRequest, meter_id: int) -> HttpResponse:
    """A reading from the readings page. Accepted, it redirects back to the page (a reload does
    not send it again); refused, it shows the page with the message beside the field. The peak of
    the window is made of these requests, so the accepted path reads only what it needs: the
    resident (with the user), the meter through the resident's own accounts, the window and the
    last readings (bench/readings_peak.py)."""
    resident = getattr(request.user, "resident", None)
    if resident is None:
        return not_a_resident(request)
    meter = selectors.resident_meter(resident, meter_id)
    if meter is None:
        raise Http404  # not a meter of this resident's accounts
    form = ReadingForm(meter, request.POST)
    if form.is_valid():
        try:
            services.submit_reading(
                meter=meter, values=form.values(), user=request.user, confirmed=form.cleaned_data["confirm"]
            )
        except services.ReadingRefused as error:
            form.add_error(error.field, error.message)
        except services.NeedsConfirmation as error:
            form.ask_confirmation(error.message)
        else:
            messages.success(request, f"Показание прибора {meter} принято.")
            url = reverse("meters:readings") + f"?account={meter.account.number}#meter-{meter.pk}"
            return redirect(url)
    cabinet = open_cabinet(request, resident)
    if meter.account != cabinet.account:
        # Submitted from another tab showing the resident's other flat: answer about that flat.
        cabinet = replace(cabinet, account=meter.account)
        request.cabinet = cabinet
        remember_account(request, meter.account)
    return _page(request, cabinet, bound=form)


@cabinet_page
def history(request: HttpRequest, cabinet: Cabinet, meter_id: int) -> HttpResponse:
    meter = _own_meter(cabinet, meter_id)
    readings = selectors.meter_history(meter)
    ctx = {
        "meter": meter,
        "readings": readings,
        "chart": _chart(meter, readings),
    }
    return render(request, "meters/history.html", ctx)


def _chart(meter: Meter, readings) -> str:
    points = selectors.monthly_consumption(readings)
    if not points:
        return ""
    # The page shows the same numbers in its history table, so the chart carries no table of its own.
    return monthly_bars(
        points,
        unit=meter.unit,
        title=f"Расход по месяцам, {meter.unit}",
        places=meter.digits_after,
        table=False,
    )
