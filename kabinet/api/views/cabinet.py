"""The dashboard, news and the profile's notification choices."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from kabinet.appeals import selectors as appeals
from kabinet.billing.selectors import account_summary
from kabinet.core.normalize import phone_masked
from kabinet.meters import selectors as meters
from kabinet.public.selectors import latest_news, published_news
from kabinet.residents.forms.cabinet import NotificationsForm
from kabinet.residents.models import ReminderChannel
from kabinet.residents.services.cabinet import set_reminder_channel

from .. import selectors, services
from .. import serializers as out
from . import shapes
from .base import PersonalView, checked

AUTH_ERRORS = {401: out.Error}


def _news(item) -> dict:
    return {
        "id": item.pk,
        "title": item.title,
        "summary": item.summary,
        "published_at": item.published_at,
        "body": item.body,
    }


class DashboardView(PersonalView):
    @extend_schema(
        tags=["Обзор"],
        summary="Обзор: каждый лицевой счёт — долг или переплата, срок оплаты, окно показаний, "
        "последние показания; непрочитанные новости и ответы",
        responses={200: out.Dashboard, **AUTH_ERRORS},
    )
    def get(self, request):
        today = meters.local_today()
        cards = []
        for account in self.accounts():
            summary = account_summary(account)
            page = meters.readings_page(account=account, today=today)
            last = summary.last_payment
            cards.append(
                {
                    "number": account.number,
                    "address": account.address,
                    "balance": summary.balance,
                    "debt": max(summary.balance, 0),
                    "overpayment": summary.overpayment,
                    "amount_due": summary.amount_due,
                    "due_date": summary.due_date,
                    "last_payment": {"amount": last.amount, "paid_on": last.paid_on} if last else None,
                    "readings_window": shapes.window(page.window),
                    "last_readings": [
                        {
                            "meter_id": card.meter.pk,
                            "name": card.meter.name_for_resident,
                            "unit": card.meter.unit,
                            "reading": shapes.reading(card.last),
                        }
                        for card in page.cards
                    ],
                    "unread_answers": selectors.unread_answers(
                        self.token, appeals.account_appeals(account)
                    ).count(),
                }
            )
        data = {
            "full_name": self.resident.full_name,
            "accounts": cards,
            "unread_news": selectors.unread_news_count(self.token),
            "latest_news": [_news(n) for n in latest_news(limit=3)],
        }
        return Response(out.Dashboard(data).data)


class NewsListView(PersonalView):
    @extend_schema(
        tags=["Новости"],
        summary="Новости управляющей компании (отмечает их прочитанными в этом приложении)",
        responses={200: out.News(many=True), **AUTH_ERRORS},
    )
    def get(self, request):
        items = [_news(n) for n in published_news()[:50]]
        services.mark_news_read(token=self.token)
        return Response(out.News(items, many=True).data)


class ProfileView(PersonalView):
    @extend_schema(
        tags=["Профиль"], summary="Профиль и напоминания", responses={200: out.Profile, **AUTH_ERRORS}
    )
    def get(self, request):
        return Response(out.Profile(self._data()).data)

    @extend_schema(
        tags=["Профиль"],
        summary="Изменить напоминания о показаниях",
        request=out.Notifications,
        responses={200: out.Profile, 400: out.Error, **AUTH_ERRORS},
    )
    def put(self, request):
        form = checked(NotificationsForm(_plain(request.data)))
        set_reminder_channel(
            resident=self.resident, channel=form.cleaned_data["reminder_channel"], ip=self.ip
        )
        return Response(out.Profile(self._data()).data)

    def _data(self) -> dict:
        resident = self.resident
        return {
            "full_name": resident.full_name,
            "phone": phone_masked(resident.phone) if resident.phone else "",
            "email": resident.user.email,
            "accounts": [a.number for a in self.accounts()],
            "reminder_channel": resident.reminder_channel,
            "reminder_channels": [{"value": v, "name": n} for v, n in ReminderChannel.choices],
        }


def _plain(data) -> dict:
    """A JSON object or a form as a form's data: strings, as a browser sends them."""
    if hasattr(data, "getlist"):
        return data
    if not isinstance(data, dict):
        return {}
    return {k: v if isinstance(v, str) else ("" if v is None else str(v)) for k, v in data.items()}
