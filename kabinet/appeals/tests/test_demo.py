import pytest
from django.core.management import call_command
from django.urls import reverse

from kabinet.appeals.models import Appeal, AppealCategory, AppealReply
from kabinet.residents.demo import DEMO_RESIDENT

pytestmark = pytest.mark.django_db


def test_demo_resident_has_two_appeals_one_answered_and_loading_twice_adds_nothing():
    call_command("load_demo_data")
    call_command("load_demo_data")

    appeals = Appeal.objects.filter(account__number="1000123461")
    assert appeals.count() == 2
    assert appeals.filter(answered_at__isnull=False).count() == 1
    assert AppealReply.objects.count() == 1
    assert AppealCategory.objects.filter(is_active=True).count() >= 5


def test_demo_resident_sees_her_appeals_and_the_reply(client):
    call_command("load_demo_data")
    client.post(
        reverse("residents:login"),
        {"username": DEMO_RESIDENT["accounts"][0], "password": DEMO_RESIDENT["password"]},
    )
    answered = Appeal.objects.get(status="done")

    listing = client.get(reverse("appeals:list"), {"account": "1000123461"}).text
    page = client.get(reverse("appeals:detail", args=[answered.pk])).text

    assert listing.count('class="appeal-list__item"') == 2
    assert "Лампу заменили" in page
