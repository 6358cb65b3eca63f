from django.core.management import call_command
from django.urls import reverse

from kabinet.residents.demo import DEMO_RESIDENT
from kabinet.residents.models import Resident


def test_demo_resident_signs_in_and_switches_between_her_two_flats(client, db):
    call_command("load_demo_data")
    first, second = DEMO_RESIDENT["accounts"]

    response = client.post(
        reverse("residents:login"), {"username": second, "password": DEMO_RESIDENT["password"]}, follow=True
    )
    html = client.get(reverse("residents:cabinet"), {"account": second}).content.decode()

    assert response.redirect_chain[-1][0] == reverse("residents:cabinet")
    assert f"Лицевой счёт {second}" in html
    assert f"?account={first}" in html


def test_loading_the_demo_twice_keeps_one_resident(db):
    call_command("load_demo_data")
    call_command("load_demo_data")

    assert Resident.objects.filter(full_name=DEMO_RESIDENT["full_name"]).count() == 1
