"""Domain objects as the answers' dictionaries (the serializers describe them)."""

from django.urls import reverse

from kabinet.meters.models import Meter, Reading
from kabinet.meters.window import Window


def window(w: Window | None) -> dict | None:
    if w is None:
        return None
    return {"opens": w.opens, "closes": w.closes, "is_open": w.is_open, "period": w.period, "text": w.text()}


def reading(r: Reading | None) -> dict | None:
    if r is None:
        return None
    return {
        "period": r.period,
        "values": list(r.values),
        "shown": r.shown,
        "consumption": r.consumption,
        "source": r.source,
        "get_source_display": r.get_source_display(),
        "submitted_at": r.submitted_at,
    }


def meter(m: Meter, *, w: Window, last: Reading | None, today) -> dict:
    return {
        "id": m.pk,
        "account": {"number": m.account.number},
        "service": m.service,
        "name_for_resident": m.name_for_resident,
        "serial_number": m.serial_number,
        "place": m.place,
        "unit": m.unit,
        "tariffs": m.tariffs,
        "tariff_names": [name or "Т1" for name in m.tariff_names] if m.tariffs > 1 else [""],
        "digits_before": m.digits_before,
        "digits_after": m.digits_after,
        "next_check_date": m.next_check_date,
        "overdue": m.check_overdue(today),
        "window": window(w),
        "last_reading": reading(last),
    }


def attachment(a) -> dict:
    return {
        "id": a.pk,
        "original_name": a.original_name,
        "content_type": a.content_type,
        "size": a.size,
        "url": reverse("api:appeal_attachment", args=[a.appeal_id, a.pk]),
    }
