"""A resident who has already registered, so that `make run` shows a cabinet with data at once."""

from kabinet.billing.models import Account
from kabinet.core.models import User

from .models import Resident, ResidentAccount

DEMO_RESIDENT = {
    "full_name": "Морозова Ольга Петровна",
    "phone": "+79161234567",
    "email": "morozova@example.ru",
    "password": "demo-resident-2026",
    # She holds two flats: the cabinet switches between them.
    "accounts": ["1000123461", "1000123462"],
}


def load_demo_resident() -> Resident:
    accounts = Account.objects.filter(number__in=DEMO_RESIDENT["accounts"]).order_by("number")
    user, _ = User.objects.get_or_create(
        username=DEMO_RESIDENT["accounts"][0], defaults={"email": DEMO_RESIDENT["email"]}
    )
    user.set_password(DEMO_RESIDENT["password"])
    user.save()
    resident, _ = Resident.objects.update_or_create(
        user=user, defaults={"full_name": DEMO_RESIDENT["full_name"], "phone": DEMO_RESIDENT["phone"]}
    )
    for account in accounts:
        ResidentAccount.objects.get_or_create(account=account, defaults={"resident": resident})
    return resident
