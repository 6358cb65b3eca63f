import pytest
from django.urls import reverse

from kabinet.demo.loader import load_demo_data
from kabinet.meters.models import Meter, Reading

pytestmark = pytest.mark.django_db


def test_demo_resident_has_meters_with_a_year_of_readings_and_an_open_window(client):
    load_demo_data()
    load_demo_data()  # idempotent

    assert Meter.objects.filter(account__number="1000123461").count() == 3
    assert Meter.objects.filter(account__number="1000123462").count() == 3
    assert Reading.objects.count() == 6 * 12
    assert client.login(username="1000123461", password="demo-resident-2026")
    html = client.get(reverse("meters:readings"), {"account": "1000123461"}).content.decode()
    assert "Показания принимаются до" in html
    assert "Электроэнергия, 2 тарифа" in html
    other = client.get(reverse("meters:readings"), {"account": "1000123462"}).content.decode()
    assert "Прибор считается неисправным" in other
