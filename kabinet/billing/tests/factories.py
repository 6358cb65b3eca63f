from decimal import Decimal

import factory

from kabinet.billing.models import Account

_SURNAMES = ("Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов")
_NAMES = ("Иван", "Пётр", "Алексей", "Сергей", "Николай", "Андрей", "Дмитрий")
_PATRONYMICS = ("Иванович", "Петрович", "Сергеевич", "Николаевич", "Андреевич")
_STREETS = ("ул. Ленина", "ул. Пушкина", "пр-т Мира", "ул. Садовая", "ул. Школьная")


def _full_name(n: int) -> str:
    return f"{_SURNAMES[n % 8]} {_NAMES[n % 7]} {_PATRONYMICS[n % 5]}"


def _address(n: int) -> str:
    return f"г. Пермь, {_STREETS[n % 5]}, д. {n // 100 + 1}, кв. {n % 100 + 1}"


class AccountFactory(factory.django.DjangoModelFactory):
    """A лицевой счёт as the billing import leaves it: normalised name, E.164 phone."""

    class Meta:
        model = Account

    number = factory.Sequence(lambda n: f"{1_000_000_000 + n}")  # 1000000000, 1000000001, …
    holder_name = factory.Sequence(_full_name)
    address = factory.Sequence(_address)
    area = Decimal("54.30")
    phone = factory.Sequence(lambda n: f"+7912{n % 10_000_000:07d}")
    email = ""
