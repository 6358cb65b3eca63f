import pytest

from kabinet.payments.testing import FakeYooKassa


@pytest.fixture
def yookassa(settings):
    """A local ЮKassa on a free port, and the settings that point Kabinet at it."""
    fake = FakeYooKassa().start()
    settings.PAYMENT_PROVIDER = "yookassa"
    settings.YOOKASSA_SHOP_ID = fake.shop_id
    settings.YOOKASSA_SECRET_KEY = fake.secret_key
    settings.YOOKASSA_API_URL = fake.api_url
    yield fake
    fake.stop()
