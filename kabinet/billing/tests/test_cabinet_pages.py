"""The resident's billing pages: overview card, «Начисления», «Квитанции», and whose data they show."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from kabinet.billing.tests.factories import AccountFactory
from kabinet.billing.tests.history import PASSWORD, make_history, resident_with


@pytest.fixture
def ivanov_history(ivanov_account):
    return make_history(ivanov_account)


@pytest.fixture
def signed_in(client, company, ivanov_account, ivanov_history):
    resident_with(ivanov_account)
    assert client.login(username=ivanov_account.number, password=PASSWORD)
    return client


def test_overview_shows_the_debt_the_amount_due_the_due_date_and_the_last_payment(signed_in, ivanov_history):
    html = signed_in.get(reverse("residents:cabinet")).content.decode()
    last = ivanov_history[-1]

    assert last.closing_balance == Decimal("14110.78")
    assert "К оплате" in html and "14\u00a0110,78\u00a0₽" in html
    # The debt is the amount due: one number, said once (issue 15, 2), and on the button.
    assert html.count("14\u00a0110,78\u00a0₽") == 2 and "Оплатить 14\u00a0110,78\u00a0₽" in html
    assert "Долг" not in html
    assert "Начислено за октябрь 2026" in html and "3\u00a0325,83\u00a0₽" in html
    assert "15 ноября 2026" in html  # ЖК РФ ст. 155 ч. 1 as amended: the 15th since March 2026
    assert "2\u00a0600,00\u00a0₽, 20 сентября 2026" in html


def test_charges_show_the_latest_month_by_service_with_totals(signed_in):
    html = signed_in.get(reverse("billing:charges")).content.decode()

    assert "Октябрь 2026" in html
    for service in ("Содержание жилого помещения", "Холодное водоснабжение", "Электроэнергия"):
        assert service in html
    assert "3\u00a0325,83" in html  # total to pay: 3580,45 − 104,62 − 150,00
    assert "-104,62" in html and "150,00" in html


def test_each_line_explains_how_it_was_calculated(signed_in):
    html = signed_in.get(reverse("billing:charges")).content.decode()

    assert html.count("<summary>Как посчитано?</summary>") == 4
    assert "4,512 м³ × 52,31\u00a0₽ = 236,02\u00a0₽." in html
    assert "Объём — по показаниям прибора учёта." in html
    assert "по среднемесячному расходу" in html
    assert "по нормативу потребления" in html
    assert (
        "Перерасчёт -104,62\u00a0₽: Перерасчёт за сентябрь: "
        "показания счётчика переданы после закрытия периода" in html
    )
    assert "Льгота: −150,00\u00a0₽." in html


def test_the_billing_datas_texts_are_shown_as_text_not_as_markup(signed_in, ivanov_account):
    """A service's name, its unit and a recalculation's reason come from the company's files:
    markup in them is written out, never obeyed."""
    from kabinet.billing.models import Accrual

    line = Accrual.objects.filter(account=ivanov_account, recalculation__lt=0).latest("period")
    line.service.name = 'Вода <b onclick="x()">&'
    line.service.save()
    Accrual.objects.filter(pk=line.pk).update(
        unit="м<sup>3</sup>", recalculation_reason="<script>alert(1)</script> & ещё"
    )

    html = signed_in.get(reverse("billing:charges")).content.decode()

    assert "<script>alert(1)" not in html and "<b onclick" not in html and "м<sup>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; ещё" in html
    assert "Вода &lt;b onclick=&quot;x()&quot;&gt;&amp;" in html
    assert "м&lt;sup&gt;3&lt;/sup&gt;" in html


def test_the_period_picker_shows_an_earlier_month(signed_in):
    html = signed_in.get(reverse("billing:charges"), {"period": "2025-12"}).content.decode()

    assert "Декабрь 2025" in html
    assert "3\u00a0580,45" in html
    assert "Перерасчёт -104,62" not in html


def test_a_month_without_charges_or_garbage_falls_back_to_the_latest_with_a_notice(signed_in):
    for value in ("2019-01", "abc", "2026-13"):
        response = signed_in.get(reverse("billing:charges"), {"period": value})
        assert response.status_code == 200
        assert "За выбранный месяц начислений нет" in response.content.decode()


def test_the_chart_has_a_bar_for_each_month_and_the_numbers_in_a_table(signed_in):
    html = signed_in.get(reverse("billing:charges")).content.decode()

    wide = html[html.index('class="chart__wide"') : html.index('class="chart__narrow"')]
    assert wide.count('<rect class="chart__bar"') == 12
    assert 'role="img"' in html
    assert '<th scope="row">ноябрь 2025</th><td>3\u00a0580,45</td>' in html


def test_receipts_list_every_month_with_a_pdf_link(signed_in):
    html = signed_in.get(reverse("billing:payment_documents")).content.decode()

    assert html.count("payment-documents__link") == 12
    assert reverse("billing:payment_document_pdf", args=[date(2026, 10, 1)]) in html


def test_a_receipt_downloads_as_a_pdf(signed_in):
    response = signed_in.get(reverse("billing:payment_document_pdf", args=[date(2026, 10, 1)]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert 'filename="kvitanciya-1000123456-2026-10.pdf"' in response["Content-Disposition"]


def test_a_receipt_for_a_month_without_charges_is_not_found(signed_in):
    assert signed_in.get(reverse("billing:payment_document_pdf", args=[date(2019, 1, 1)])).status_code == 404
    assert signed_in.get("/cabinet/receipts/2026-13.pdf").status_code == 404


def test_a_resident_with_two_accounts_sees_one_at_a_time(client, company, ivanov_account):
    second = AccountFactory(
        number="1000123999", holder_name=ivanov_account.holder_name, address="ул. Мира, 1"
    )
    make_history(ivanov_account)
    make_history(second, months=3, first=date(2026, 8, 1))
    resident_with(ivanov_account, second)
    client.login(username=ivanov_account.number, password=PASSWORD)

    first_page = client.get(reverse("billing:payment_documents")).content.decode()
    switched = client.get(reverse("billing:payment_documents"), {"account": second.number}).content.decode()
    remembered = client.get(reverse("billing:charges")).content.decode()

    assert first_page.count("payment-documents__link") == 12
    assert switched.count("payment-documents__link") == 3
    assert remembered.count('<rect class="chart__bar"') == 3 * 2  # the wide and the phone's drawing


def test_another_households_data_is_never_shown(signed_in, neighbour_account):
    make_history(neighbour_account, months=2, first=date(2026, 11, 1))

    assert signed_in.get(reverse("billing:charges"), {"account": neighbour_account.number}).status_code == 404
    assert (
        signed_in.get(reverse("billing:payment_documents"), {"account": neighbour_account.number}).status_code
        == 404
    )
    # The neighbour's only months: the URL names a period, the account stays Ivanov's.
    assert signed_in.get(reverse("billing:payment_document_pdf", args=[date(2026, 12, 1)])).status_code == 404
    pdf_url = (
        reverse("billing:payment_document_pdf", args=[date(2026, 11, 1)])
        + f"?account={neighbour_account.number}"
    )
    assert signed_in.get(pdf_url).status_code == 404


def test_pages_ask_for_login(client, db):
    for name in ("billing:charges", "billing:payment_documents"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and reverse("residents:login") in response["Location"]
