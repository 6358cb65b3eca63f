"""Meters and readings: one request for several meters, an answer for each."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response

from kabinet.billing.imports.fields import FieldError
from kabinet.meters import parsing, selectors, services
from kabinet.meters.models import Reading

from .. import serializers as out
from . import shapes
from .base import PersonalView

AUTH_ERRORS = {401: out.Error}
NOT_OURS = "Прибор учёта не найден среди приборов вашего кабинета."


class MeterListView(PersonalView):
    @extend_schema(
        tags=["Показания"],
        summary="Приборы учёта с окном приёма и последним показанием",
        parameters=[OpenApiParameter("account", str, description="Только приборы этого лицевого счёта.")],
        responses={200: out.Meter(many=True), 404: out.Error, **AUTH_ERRORS},
    )
    def get(self, request):
        number = request.query_params.get("account")
        accounts = [self.account(number)] if number else self.accounts()
        today = selectors.local_today()
        items = []
        for account in accounts:
            page = selectors.readings_page(account=account, today=today)
            for card in page.cards:
                w = selectors.meter_window(card.meter, today=today)
                items.append(shapes.meter(card.meter, w=w, last=card.last, today=today))
        return Response(out.Meter(items, many=True).data)


class MeterDetailView(PersonalView):
    @extend_schema(
        tags=["Показания"],
        summary="Прибор и все его показания с каналом передачи",
        responses={200: out.MeterHistory, 404: out.Error, **AUTH_ERRORS},
    )
    def get(self, request, pk: int):
        meter = selectors.resident_meter(self.resident, pk)
        if meter is None:
            raise Http404
        today = selectors.local_today()
        readings = selectors.meter_history(meter)
        w = selectors.meter_window(meter, today=today)
        data = {
            "meter": shapes.meter(meter, w=w, last=readings[0] if readings else None, today=today),
            "readings": [shapes.reading(r) for r in readings],
        }
        return Response(out.MeterHistory(data).data)


class ReadingsView(PersonalView):
    @extend_schema(
        tags=["Показания"],
        summary="Передать показания одного или нескольких приборов",
        description="Каждое показание принимается или отклоняется само по себе, с теми же проверками, "
        "что в кабинете. Принятое показание окончательное (канал «приложение»); повторная передача "
        "в том же окне исправляет его.",
        request=out.ReadingsRequest,
        responses={200: out.ReadingsAnswer, 400: out.Error, **AUTH_ERRORS},
    )
    def post(self, request):
        serializer = out.ReadingsRequest(data=request.data)
        serializer.is_valid(raise_exception=True)
        wanted = serializer.validated_data["readings"]
        ids = [entry["meter_id"] for entry in wanted]
        if len(set(ids)) != len(ids):
            raise exceptions.ValidationError(
                {"readings": [exceptions.ErrorDetail("Один прибор указан дважды.", code="duplicate_meter")]}
            )
        today = selectors.local_today()
        results, entries = {}, []
        for entry in wanted:
            meter = selectors.resident_meter(self.resident, entry["meter_id"])
            if meter is None:
                results[entry["meter_id"]] = _refused(entry["meter_id"], "meter_not_found", NOT_OURS, None)
                continue
            try:
                values = tuple(
                    parsing.parse_reading(
                        v, digits_before=meter.digits_before, digits_after=meter.digits_after
                    )
                    for v in entry["values"]
                )
            except FieldError as error:
                w = selectors.meter_window(meter, today=today)
                results[meter.pk] = _refused(meter.pk, "invalid_value", str(error), w, field="values")
                continue
            entries.append(services.ReadingEntry(meter=meter, values=values, confirmed=entry["confirmed"]))
        outcomes = services.submit_readings(
            entries=entries, user=request.user, today=today, channel=Reading.Source.APP
        )
        for outcome in outcomes:
            w = selectors.meter_window(outcome.meter, today=today)
            if outcome.accepted:
                r = outcome.reading
                results[outcome.meter.pk] = {
                    "meter_id": outcome.meter.pk,
                    "accepted": True,
                    "value": list(r.values),
                    "shown": r.shown,
                    "period": r.period,
                    "code": "",
                    "message": "",
                    "field": None,
                    "window": shapes.window(w),
                }
            else:
                results[outcome.meter.pk] = _refused(
                    outcome.meter.pk, outcome.code or "refused", outcome.refusal, w, field=outcome.field
                )
        ordered = [results[i] for i in ids]
        accepted = sum(1 for r in ordered if r["accepted"])
        data = {"accepted": accepted, "refused": len(ordered) - accepted, "results": ordered}
        return Response(out.ReadingsAnswer(data).data)


def _refused(meter_id: int, code: str, message: str, w, *, field: str | None = None) -> dict:
    return {
        "meter_id": meter_id,
        "accepted": False,
        "value": None,
        "shown": "",
        "period": None,
        "code": code,
        "message": message,
        "field": field,
        "window": shapes.window(w),
    }
