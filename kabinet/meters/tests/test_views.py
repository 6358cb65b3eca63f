from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kabinet.meters.models import Reading
from kabinet.meters.window import add_months
from kabinet.testing import sign_in_staff

from .factories import MeterFactory, history

pytestmark = pytest.mark.django_db
URL = reverse("meters:readings")


def field(meter, name="value_1") -> str:
    return f"m{meter.pk}-{name}"


def post(client, meter, **data):
    payload = {field(meter, k): v for k, v in data.items()}
    return client.post(reverse("meters:submit", args=[meter.pk]), payload, follow=True)


@pytest.fixture
def signed_in(client, company, ivanov, window_open):
    client.force_login(ivanov.user)
    return client


def test_page_needs_login(client, company):
    assert client.get(URL)["Location"].startswith(reverse("residents:login"))


def test_page_lists_the_meters_with_place_serial_and_next_verification(signed_in, cold_water):
    html = signed_in.get(URL).content.decode()

    assert "Холодная вода" in html and "ХВ-2231847" in html and "кухня" in html
    assert "ХВС" not in html
    assert "1 января 2030" in html
    assert "Передать показания" in html


def test_reading_with_a_decimal_comma_is_accepted(signed_in, cold_water):
    response = post(signed_in, cold_water, value_1="104,25")

    assert "Показание принято: Холодная вода, прибор № ХВ-2231847." in response.content.decode()
    reading = Reading.objects.get(meter=cold_water)
    assert reading.value == Decimal("104.250")
    assert reading.period == timezone.localdate().replace(day=1)
    assert reading.submitted_by.resident.full_name == "Иванов Иван Иванович"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Введите показание."),
        ("сто", "Введите число: только цифры и запятая, например 123,456."),
        ("104,2567", "После запятой не больше 3 цифр: так показывает этот счётчик."),
        ("123456", "На этом счётчике 5 цифр до запятой, а введено больше."),
        ("-5", "Введите число"),
    ],
)
def test_bad_input_is_explained_beside_the_field_and_kept(signed_in, cold_water, typed, message):
    response = post(signed_in, cold_water, value_1=typed)

    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert 'class="field field--error"' in html
    assert f'value="{typed}"' in html or not typed
    assert not Reading.objects.exists()


def test_lower_reading_is_refused_with_the_last_value(signed_in, cold_water):
    html = post(signed_in, cold_water, value_1="99,5").content.decode()

    assert "Показание меньше предыдущего (100,000)" in html
    assert not Reading.objects.exists()


def test_implausible_consumption_asks_to_confirm_and_a_second_submit_saves_it(signed_in, cold_water):
    start = add_months(timezone.localdate(), -6)
    last = history(cold_water, start=start, months=6, use=Decimal(5))
    typed = f"{last + 40:f}".replace(".", ",")

    html = post(signed_in, cold_water, value_1=typed).content.decode()
    assert "намного больше обычного" in html
    assert "Показание верное, расход действительно такой" in html
    assert not Reading.objects.filter(period=timezone.localdate().replace(day=1)).exists()

    html = post(signed_in, cold_water, value_1=typed, confirm="on").content.decode()
    assert "принято" in html
    assert Reading.objects.get(period=timezone.localdate().replace(day=1)).confirmed_high


def test_submitted_reading_shows_as_given_and_can_be_corrected(signed_in, cold_water):
    post(signed_in, cold_water, value_1="104")

    html = signed_in.get(URL).content.decode()
    assert "Показание за этот месяц передано" in html
    assert 'value="104,000"' in html
    assert "Его можно исправить до" in html

    post(signed_in, cold_water, value_1="103,5")
    assert Reading.objects.get().value == Decimal("103.500")


def test_another_households_meter_is_not_found(signed_in, neighbour_account):
    other = MeterFactory(account=neighbour_account)

    response = signed_in.post(reverse("meters:submit", args=[other.pk]), {field(other): "101"})

    assert response.status_code == 404
    assert signed_in.get(reverse("meters:history", args=[other.pk])).status_code == 404
    assert not Reading.objects.exists()


def test_a_submission_needs_a_signed_in_resident(client, company, operator, cold_water, window_open):
    url = reverse("meters:submit", args=[cold_water.pk])

    assert client.post(url, {field(cold_water): "101"})["Location"].startswith(reverse("residents:login"))
    sign_in_staff(client, operator)
    assert client.post(url, {field(cold_water): "101"}).status_code == 403  # staff have no meters
    assert client.get(url).status_code == 405
    assert not Reading.objects.exists()


def test_closed_window_says_when_it_opens_and_shows_no_form(
    client, company, ivanov, window_closed, cold_water
):
    client.force_login(ivanov.user)

    html = client.get(URL).content.decode()

    assert "Сейчас показания не принимаются." in html
    assert "Окно приёма показаний откроется" in html
    assert "Передать показания" not in html


def test_meter_past_verification_is_called_out_of_order_and_takes_no_reading(signed_in, ivanov_account):
    meter = MeterFactory(account=ivanov_account, next_check_date=timezone.localdate() - timedelta(days=1))

    html = signed_in.get(URL).content.decode()
    assert "Прибор считается неисправным" in html
    assert "Срок поверки истёк" in html
    assert f'name="m{meter.pk}-value_1"' not in html
    # A way to tell the company: an appeal prefilled with this meter.
    assert f'href="/cabinet/appeals/new/?meter={meter.pk}"' in html

    html = post(signed_in, meter, value_1="101").content.decode()
    assert "считается неисправным" in html
    assert not Reading.objects.exists()


def test_history_page_shows_the_readings_and_a_consumption_chart(signed_in, cold_water):
    history(cold_water, start=date(2025, 11, 1), months=12, use=Decimal("5.5"))

    html = signed_in.get(reverse("meters:history", args=[cold_water.pk])).content.decode()

    assert '<svg class="chart__svg" role="img"' in html
    assert "Расход по месяцам, м³" in html
    assert "166,000" in html  # the last of 12 readings: 100 + 12 × 5,5
    assert html.count("<tr>") == 13  # the header and twelve months


def test_cabinet_overview_says_whether_the_window_is_open(client, company, ivanov, cold_water, window_open):
    client.force_login(ivanov.user)

    html = client.get(reverse("residents:cabinet")).content.decode()

    assert "Окно приёма показаний открыто до" in html


def test_a_submission_costs_the_same_few_queries_however_long_the_history(
    signed_in, cold_water, django_assert_num_queries
):
    history(cold_water, start=add_months(timezone.localdate(), -24), months=24, use=Decimal(5))
    url = reverse("meters:submit", args=[cold_water.pk])

    # The peak of the window is made of these (bench/readings_peak.py): the session, the user with
    # the resident, the meter through the resident's accounts, the company's window, the last
    # readings, one upsert. Not the resident's accounts, the company or the page: it redirects.
    with django_assert_num_queries(6):
        response = signed_in.post(url, {field(cold_water): "225"})

    assert response.status_code == 302
    assert response["Location"] == f"{URL}?account={cold_water.account.number}#meter-{cold_water.pk}"


def test_the_page_after_a_submission_does_not_write_the_session_again(signed_in, cold_water):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    page = post(signed_in, cold_water, value_1="101").redirect_chain[-1][0]  # ?account=…#meter-…
    with CaptureQueriesContext(connection) as queries:
        response = signed_in.get(page)

    assert response.status_code == 200 and "ХВ-2231847" in response.content.decode()
    assert not [
        q for q in queries.captured_queries if "django_session" in q["sql"] and "SELECT" not in q["sql"]
    ]


def test_an_error_for_the_residents_other_flat_is_shown_with_that_flat(signed_in, ivanov, neighbour_account):
    from kabinet.residents.models import ResidentAccount

    ResidentAccount.objects.create(resident=ivanov, account=neighbour_account)
    other = MeterFactory(account=neighbour_account)

    html = post(signed_in, other, value_1="сто").content.decode()

    assert "Лицевой счёт <strong>1000123457</strong>" in html
    assert "Введите число" in html


# --- Issue 15 (6): all meters of the account in one form ------------------------------------


@pytest.fixture
def hot_water(ivanov_account):
    from kabinet.meters.models import Resource

    return MeterFactory(account=ivanov_account, service=Resource.HOT_WATER, serial_number="ГВ-5550001")


def post_all(client, **values):
    return client.post(URL, values, follow=True)


def test_one_form_takes_the_readings_of_all_meters(signed_in, cold_water, hot_water):
    html = signed_in.get(URL).content.decode()
    assert html.count('<form method="post" action="/cabinet/meters/') == 1
    assert "Холодная вода" in html and "Горячая вода" in html and "ГВС" not in html

    response = post_all(signed_in, **{field(cold_water): "104,5", field(hot_water): "102"})

    html = response.content.decode()
    assert response.redirect_chain and response.redirect_chain[-1][0].endswith("#readings-summary")
    assert "Принято:</strong> Холодная вода, прибор № ХВ-2231847 — 104,500 м³" in html
    assert "Принято:</strong> Горячая вода, прибор № ГВ-5550001 — 102,000 м³" in html
    assert Reading.objects.count() == 2
    assert "Принято:" not in signed_in.get(URL).content.decode()  # said once, not on every visit


def test_the_summary_lists_what_was_refused_and_why_and_keeps_the_rest(signed_in, cold_water, hot_water):
    response = post_all(signed_in, **{field(cold_water): "104", field(hot_water): "99"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Принято:</strong> Холодная вода" in html
    assert f'Не принято:</strong> <a href="#meter-{hot_water.pk}">Горячая вода' in html
    assert "Показание меньше предыдущего" in html
    assert f'name="{field(hot_water)}" value="99"' in html  # the refused value stays to correct
    assert list(Reading.objects.values_list("meter__serial_number", flat=True)) == ["ХВ-2231847"]


def test_a_meter_left_blank_is_not_submitted(signed_in, cold_water, hot_water):
    post_all(signed_in, **{field(cold_water): "104", field(hot_water): ""})

    assert list(Reading.objects.values_list("meter__serial_number", flat=True)) == ["ХВ-2231847"]


def test_an_empty_form_says_nothing_was_typed(signed_in, cold_water):
    response = signed_in.post(URL, {field(cold_water): ""})

    assert response.status_code == 400
    assert "Вы не ввели ни одного показания" in response.content.decode()


def test_a_meter_of_another_household_cannot_be_slipped_into_the_form(signed_in, cold_water):
    stranger = MeterFactory(serial_number="ЧУЖОЙ-1")

    post_all(signed_in, **{field(cold_water): "104", field(stranger): "200"})

    assert not Reading.objects.filter(meter=stranger).exists()
