from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kabinet.core import formats
from kabinet.core.charts import monthly_bars
from kabinet.devices.selectors import meter_device_states
from kabinet.residents.cabinet import Cabinet, cabinet_page, not_a_resident, open_cabinet, remember_account

from . import selectors, services
from .forms import ReadingForm
from .models import Meter

SESSION_SUMMARY = "readings_summary"


def _page(
    request: HttpRequest,
    cabinet: Cabinet,
    bound: ReadingForm | dict[int, ReadingForm] | None = None,
    summary: list[dict] | None = None,
    status: int = 200,
):
    """The readings page: one form for all meters of the account. `bound` holds the forms shown
    back with their errors (by meter id); `summary` what the last submission did."""
    if isinstance(bound, ReadingForm):
        bound = {bound.meter.pk: bound}
    bound = bound or {}
    page = selectors.readings_page(account=cabinet.account)
    devices = meter_device_states([card.meter for card in page.cards], window=page.window)
    for card in page.cards:
        card.device = devices.get(card.meter.pk)
        if card.meter.pk in bound:
            card.form = bound[card.meter.pk]
        else:
            current = card.current(page.window.period)
            shown = current.shown_values if current else []
            initial = {f"value_{i}": v for i, v in enumerate(shown, start=1)}
            card.form = ReadingForm(card.meter, initial=initial, optional=True)
    if summary is None:
        summary = request.session.pop(SESSION_SUMMARY, None)
    ctx = {
        "page": page,
        "window": page.window,
        "closes": formats.day_month(page.window.closes),
        "summary": summary,
        "first_input": next((c for c in page.cards if not c.overdue), None),
    }
    return render(request, "meters/readings.html", ctx, status=status)


# Kept while nothing it shows changes (a reading renews the stamp of the account's cabinets; the
# window and the meters' checks go by the day), but not with a submission's summary to show.
@cabinet_page(kept=(), unless_session=(SESSION_SUMMARY,))
def readings(request: HttpRequest, cabinet: Cabinet) -> HttpResponse:
    if request.method == "POST" and cabinet.account is not None:
        return _submit_all(request, cabinet)
    return _page(request, cabinet)


def _submit_all(request: HttpRequest, cabinet: Cabinet) -> HttpResponse:
    """All meters of the shown account at once. Every typed reading is accepted or refused on its
    own; the page then lists both. All accepted: back to the page (a reload sends nothing again)."""
    meters = list(selectors.account_meters([cabinet.account]))
    forms = {m.pk: ReadingForm(m, request.POST, optional=True) for m in meters}
    entries, invalid = [], []
    for form in forms.values():
        if not form.is_valid():
            invalid.append(form)
        elif not form.left_blank:
            confirmed = form.cleaned_data["confirm"]
            entries.append(services.ReadingEntry(meter=form.meter, values=form.values(), confirmed=confirmed))
    if not entries and not invalid:
        messages.error(
            request, "Вы не ввели ни одного показания. Введите показания и нажмите «Передать показания»."
        )
        return _page(request, cabinet, status=400)
    outcomes = services.submit_readings(entries=entries, user=request.user)
    summary = [_line(form.meter, refusal=_first_error(form)) for form in invalid]
    for outcome in outcomes:
        summary.append(_line(outcome.meter, reading=outcome.reading, refusal=outcome.refusal))
        form = forms[outcome.meter.pk]
        if outcome.needs_confirmation:
            form.ask_confirmation(outcome.refusal)
        elif not outcome.accepted:
            form.add_error(outcome.field, outcome.refusal)
        else:
            del forms[outcome.meter.pk]  # accepted: shown as saved, not as typed
    summary.sort(key=lambda line: not line["accepted"])
    if all(line["accepted"] for line in summary):
        request.session[SESSION_SUMMARY] = summary
        return redirect(reverse("meters:readings") + f"?account={cabinet.account.number}#readings-summary")
    shown_back = {pk: f for pk, f in forms.items() if f.is_bound and f.errors}
    return _page(request, cabinet, bound=shown_back, summary=summary)


def _first_error(form: ReadingForm) -> str:
    return next(iter(e for errors in form.errors.values() for e in errors), "Показание не принято.")


def _line(meter: Meter, *, reading=None, refusal: str = "") -> dict:
    """One line of the summary, kept in the session between the POST and the page."""
    return {
        "meter_id": meter.pk,
        "name": meter.name_for_resident,
        "accepted": reading is not None,
        "value": f"{reading.shown} {meter.unit}" if reading is not None else "",
        "refusal": refusal,
    }


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
            messages.success(request, f"Показание принято: {meter.name_for_resident}.")
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
