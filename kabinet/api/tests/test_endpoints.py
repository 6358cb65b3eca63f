"""Everything a resident does in the cabinet, through the API: charges with «how calculated»,
meters with the window, payments, appeals with attachments, news and the profile."""

from django.utils import timezone

from kabinet.api.models import ApiToken
from kabinet.appeals.models import Appeal, AppealCategory, AppealReply
from kabinet.appeals.tests.conftest import photo
from kabinet.core.models import User
from kabinet.payments.models import OnlinePayment
from kabinet.public.tests.factories import NewsItemFactory
from kabinet.residents.models import ReminderChannel


def test_charges_explain_how_each_line_was_calculated(signed):
    months = signed.get("/api/v1/accounts/1000123456/charges/").json()
    assert months[0]["period"] == "2026-10-01" and months[0]["closing_balance"] == "14110.78"
    month = signed.get("/api/v1/accounts/1000123456/charges/2026-10/").json()
    cold = next(line for line in month["lines"] if line["service"] == "Холодное водоснабжение")
    assert cold["how_calculated"][:3] == [
        "4,512 м³ × 52,31\u00a0₽ = 236,02\u00a0₽.",
        "Объём — по показаниям прибора учёта.",
        "Перерасчёт -104,62\u00a0₽: Перерасчёт за сентябрь: "
        "показания счётчика переданы после закрытия периода.",
    ]
    assert month["totals"]["to_pay"] == "3325.83"


def test_a_month_without_charges_is_not_found(signed):
    assert signed.get("/api/v1/accounts/1000123456/charges/2019-01/").status_code == 404
    assert signed.get("/api/v1/accounts/1000123456/receipts/2019-01.pdf").status_code == 404


def test_meters_carry_the_window_and_the_last_reading(signed, ivanov):
    meters = {m["serial_number"]: m for m in signed.get("/api/v1/meters/").json()}
    cold = meters["ХВ-2231847"]
    assert cold["window"]["is_open"] is True and cold["window"]["opens"].endswith("-01")
    assert cold["last_reading"]["shown"] == "118,000" and cold["last_reading"]["channel"] == "resident"
    assert meters["Э-55"]["tariff_names"] == ["Т1 (день)", "Т2 (ночь)"]
    history = signed.get(f"/api/v1/meters/{ivanov.meters['cold'].pk}/").json()
    assert len(history["readings"]) == 6 and history["readings"][0]["channel_name"] == "кабинет"


def test_a_closed_window_refuses_each_reading_with_its_reason_and_the_window(signed, ivanov, window_open):
    window_open.opens_day = window_open.closes_day = 2 if timezone.localdate().day != 2 else 3
    window_open.save()
    answer = signed.post(
        "/api/v1/readings/",
        {"readings": [{"meter_id": ivanov.meters["cold"].pk, "values": ["130"]}]},
        format="json",
    )
    result = answer.json()["results"][0]
    assert result["code"] == "window_closed" and result["window"]["is_open"] is False
    assert result["message"].startswith("Сейчас показания не принимаются. Окно приёма показаний откроется")


def test_an_unusual_consumption_is_held_until_confirmed(signed, ivanov):
    meter = ivanov.meters["cold"]
    first = signed.post(
        "/api/v1/readings/", {"readings": [{"meter_id": meter.pk, "values": ["300"]}]}, "json"
    )
    assert first.json()["results"][0]["code"] == "needs_confirmation"
    again = signed.post(
        "/api/v1/readings/",
        {"readings": [{"meter_id": meter.pk, "values": ["300"], "confirmed": True}]},
        "json",
    )
    assert again.json()["results"][0]["accepted"] is True


def test_a_badly_typed_value_is_refused_beside_its_meter(signed, ivanov):
    meter = ivanov.meters["cold"]
    answer = signed.post(
        "/api/v1/readings/", {"readings": [{"meter_id": meter.pk, "values": ["12x"]}]}, "json"
    )
    result = answer.json()["results"][0]
    assert result["code"] == "invalid_value"
    assert result["message"] == "Введите число: только цифры и запятая, например 123,456."


def test_one_meter_twice_in_a_request_is_refused_as_a_whole(signed, ivanov):
    entry = {"meter_id": ivanov.meters["cold"].pk, "values": ["120"]}
    answer = signed.post("/api/v1/readings/", {"readings": [entry, entry]}, "json")
    assert answer.status_code == 400 and answer.json()["fields"]["readings"][0]["code"] == "duplicate_meter"


def test_an_online_payment_gives_the_confirmation_url(signed):
    started = signed.post("/api/v1/accounts/1000123456/payments/", {"amount": "1500,50"}, format="json")
    assert started.status_code == 201
    body = started.json()
    assert body["amount"] == "1500.50" and body["status"] == "pending" and body["confirmation_url"]
    assert OnlinePayment.objects.get(idempotence_key=body["id"]).account.number == "1000123456"
    status = signed.get(f"/api/v1/accounts/1000123456/payments/{body['id']}/").json()
    assert status["status"] == "pending"
    history = signed.get("/api/v1/accounts/1000123456/payments/").json()
    assert history["payments"][0]["amount"] == "2600.00" and history["unfinished"][0]["id"] == body["id"]


def test_a_payment_amount_is_checked_as_the_web_form_checks_it(signed):
    answer = signed.post("/api/v1/accounts/1000123456/payments/", {"amount": "0,50"}, format="json")
    assert answer.status_code == 400
    assert answer.json()["fields"]["amount"][0]["message"] == "Сумма должна быть не меньше 1,00\u00a0₽."


def test_an_appeal_with_a_photo_is_sent_answered_and_replied_to(signed, ivanov):
    category = AppealCategory.objects.create(name="Сантехника")
    sent = signed.post(
        "/api/v1/appeals/",
        {"account": "1000123456", "category": category.pk, "text": "Течёт стояк", "files": [photo()]},
        format="multipart",
    )
    assert sent.status_code == 201, sent.content
    appeal = Appeal.objects.get(pk=sent.json()["id"])
    assert sent.json()["attachments"][0]["name"] == "протечка.png"
    download = signed.get(sent.json()["attachments"][0]["url"])
    assert download.status_code == 200 and download["Content-Type"] == "image/png"

    staff = User.objects.create_user("op", is_staff=True)
    AppealReply.objects.create(appeal=appeal, author=staff, text="Сантехник придёт завтра")
    assert signed.get("/api/v1/dashboard/").json()["accounts"][0]["unread_answers"] == 1
    detail = signed.get(f"/api/v1/appeals/{appeal.pk}/").json()
    assert detail["messages"][0]["text"] == "Сантехник придёт завтра"
    assert signed.get("/api/v1/dashboard/").json()["accounts"][0]["unread_answers"] == 0

    reply = signed.post(f"/api/v1/appeals/{appeal.pk}/messages/", {"text": "Спасибо, жду"}, format="json")
    assert reply.status_code == 201 and reply.json()["messages"][-1]["by_resident"] is True


def test_an_appeal_without_text_is_refused_with_the_forms_message(signed):
    category = AppealCategory.objects.create(name="Сантехника")
    answer = signed.post(
        "/api/v1/appeals/", {"account": "1000123456", "category": category.pk, "text": " "}, format="json"
    )
    assert answer.status_code == 400
    assert answer.json()["fields"]["text"][0]["message"] == "Напишите текст обращения."


def test_news_are_unread_until_the_app_shows_them(signed):
    NewsItemFactory(title="Отключение воды 12 декабря")
    assert signed.get("/api/v1/dashboard/").json()["unread_news"] == 1
    news = signed.get("/api/v1/news/").json()
    assert news[0]["title"] == "Отключение воды 12 декабря"
    assert signed.get("/api/v1/dashboard/").json()["unread_news"] == 0


def test_the_reminder_choice_is_changed(signed, ivanov):
    profile = signed.get("/api/v1/profile/").json()
    assert profile["reminder_channel"] == "sms" and profile["phone"].endswith("89")
    changed = signed.put("/api/v1/profile/", {"reminder_channel": "email"}, format="json")
    assert changed.status_code == 200 and changed.json()["reminder_channel"] == "email"
    ivanov.refresh_from_db()
    assert ivanov.reminder_channel == ReminderChannel.EMAIL
    wrong = signed.put("/api/v1/profile/", {"reminder_channel": "pigeon"}, format="json")
    assert wrong.status_code == 400
    assert wrong.json()["fields"]["reminder_channel"][0]["message"] == "Выберите один из вариантов."


def test_the_last_use_is_recorded(signed, token):
    signed.get("/api/v1/dashboard/")
    assert ApiToken.objects.get().last_used_at is not None
