"""The back-office start page says what waits, and each count opens the list it counts."""

import re
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from kabinet.appeals.models import Appeal, AppealCategory
from kabinet.audit.models import AuditEntry
from kabinet.billing.models import Account, Payment, UnmatchedPayment
from kabinet.core.models import Company, User
from kabinet.core.tests.backoffice_pages import backoffice_data
from kabinet.messaging.models import OutboxMessage
from kabinet.testing import sign_in_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(client):
    backoffice_data()  # the demo: two requests waiting, one for four days; a failed message
    sign_in_staff(client, User.objects.get(username="operator"))
    return client


def links(html: str) -> dict[str, str]:
    """The start page's «what waits» lines: text -> link."""
    section = html.split('id="waiting-title"', 1)[1].split("</section>", 1)[0]
    return {
        " ".join(re.sub(r"<[^>]+>", "", text).split()): href.replace("&amp;", "&")
        for href, text in re.findall(r'<a href="([^"]+)">(.*?)</a>', section, re.S)
    }


def listed_count(client, url: str) -> int:
    return client.get(url).context["cl"].result_count


def test_the_start_page_counts_the_queue_and_links_each_count_to_its_list(operator_client):
    found = links(operator_client.get("/admin/").content.decode())

    assert listed_count(operator_client, found["2 заявки ждут проверки"]) == 2
    assert listed_count(operator_client, found["Ждут больше трёх суток: 1"]) == 1


def test_open_and_overdue_appeals_are_counted_and_linked(operator_client):
    appeal = Appeal.objects.filter(status__in=Appeal.OPEN).first()
    Appeal.objects.filter(pk=appeal.pk).update(created_at=timezone.now() - timedelta(days=30))
    open_count = Appeal.objects.filter(status__in=Appeal.OPEN).count()

    found = links(operator_client.get("/admin/").content.decode())

    opened = next(url for text, url in found.items() if text.endswith("открыто") or text.endswith("открыты"))
    assert listed_count(operator_client, opened) == open_count
    assert listed_count(operator_client, found["Без ответа дольше срока: 1"]) == 1


def test_overdue_appeals_are_counted_by_the_term_of_their_category(operator_client):
    """Issue 15 (4): a category with its own term (3 days) makes an appeal of 5 days overdue,
    one under the company's 10 days is not."""
    demo = Appeal.objects.filter(status__in=Appeal.OPEN, answered_at=None).first()
    five_days_ago = timezone.now() - timedelta(days=5)
    quick = AppealCategory.objects.create(name="Аварии в квартире", answer_days=3)
    appeals = [
        Appeal.objects.create(
            account=demo.account,
            resident=demo.resident,
            category=category,
            text="Течёт.",
            created_at=five_days_ago,
        )
        for category in (quick, AppealCategory.objects.get(name=demo.category.name))
    ]
    Appeal.objects.filter(pk=demo.pk).delete()

    found = links(operator_client.get("/admin/").content.decode())

    url = found["Без ответа дольше срока: 1"]
    assert list(operator_client.get(url).context["cl"].result_list) == [appeals[0]]


def test_unassigned_bank_payments_are_counted_and_open_the_operators_list(operator_client):
    account = Account.objects.first()
    common = {"source": UnmatchedPayment.Source.REGISTRY, "file_name": "r.txt", "paid_on": date(2026, 11, 20)}
    for line, number in enumerate(["9999999901", "9999999902"], start=1):
        UnmatchedPayment.objects.create(
            **common, line=line, external_id=f"op-{line}", amount=100, account_text=number, reason="нет счёта"
        )
    payment = Payment.objects.create(
        account=account, paid_on=date(2026, 11, 20), period=date(2026, 11, 1), amount=50, source="bank"
    )
    UnmatchedPayment.objects.create(
        **common,
        line=3,
        external_id="op-3",
        amount=50,
        reason="нет счёта",
        status="assigned",
        payment=payment,
    )

    found = links(operator_client.get("/admin/").content.decode())

    assert listed_count(operator_client, found["Неразнесённые платежи банка: 2"]) == 2


def test_failed_messages_stand_out_and_open_filtered(operator_client):
    html = operator_client.get("/admin/").content.decode()
    found = links(html)

    url = found["Не отправлены или не доставлены: 1"]
    assert listed_count(operator_client, url) == OutboxMessage.objects.filter(status="failed").count() == 1
    assert '<li class="waiting__line--urgent"><a href="' + url.replace("&", "&amp;") in html


def test_a_member_of_staff_sees_only_the_cards_of_lists_they_may_open(client):
    backoffice_data()
    operators = Group.objects.get(name="Операторы")
    operators.permissions.remove(operators.permissions.get(codename="view_outboxmessage"))
    sign_in_staff(client, User.objects.get(username="operator"))

    html = client.get("/admin/").content.decode()

    assert "Заявки на регистрацию" in html
    assert "Не отправлены или не доставлены" not in html


def test_an_operator_reads_the_log_of_their_own_actions_and_no_one_elses(operator_client):
    operator = User.objects.get(username="operator")
    admin_user = User.objects.get(username="admin")
    mine = AuditEntry.objects.create(
        action=AuditEntry.Action.EXPORT, actor=operator, target="показания за ноябрь"
    )
    theirs = AuditEntry.objects.create(
        action=AuditEntry.Action.EXPORT, actor=admin_user, target="чужая выгрузка"
    )

    start = operator_client.get("/admin/").content.decode()
    log = operator_client.get("/admin/audit/auditentry/").content.decode()

    assert "Мои действия в журнале" in start
    assert "Мои действия в журнале" in log
    assert "показания за ноябрь" in log and "чужая выгрузка" not in log
    assert operator_client.get(f"/admin/audit/auditentry/{mine.pk}/change/").status_code == 200
    assert operator_client.get(f"/admin/audit/auditentry/{theirs.pk}/change/").status_code in (302, 403)


def test_the_administrator_reads_everyone_s_actions(admin_client):
    operator = User.objects.create_user("operator", password="operator-pass-2026", is_staff=True)
    AuditEntry.objects.create(action=AuditEntry.Action.EXPORT, actor=operator, target="выгрузка оператора")

    assert "выгрузка оператора" in admin_client.get("/admin/audit/auditentry/").content.decode()


def test_the_administrator_is_told_what_the_consent_lacks_to_name_the_operator(admin_client):
    Company.objects.update_or_create(pk=1, defaults={"name": "ООО «Уютный дом»", "inn": "6950123450"})

    html = admin_client.get("/admin/").content.decode()

    assert "не называет оператора: заполните адрес, ОГРН" in html
    Company.objects.filter(pk=1).update(address="г. Тверь", ogrn="1026900123458")
    assert "не называет оператора" not in admin_client.get("/admin/").content.decode()
