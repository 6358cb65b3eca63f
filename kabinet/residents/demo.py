"""A resident who has already registered, so that `make run` shows a cabinet with data at once."""

from datetime import timedelta

from django.utils import timezone

from kabinet.billing.models import Account
from kabinet.core.models import User

from .models import RegistrationRequest, Resident, ResidentAccount
from .services import registration

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


# Requests the billing data does not confirm, so that the operators' queue has work in it: a name
# that differs from the holder's (waiting four days, past the three promised) and an account
# number the billing data does not know.
DEMO_QUEUE = [
    ("Васильева Нина Сергеевна", "1000123463", "+79035556677", "vasilieva@example.ru", 4),
    ("Лебедев Олег Игоревич", "1000999999", "+79207778899", "lebedev@example.ru", 0),
]


def load_demo_queue() -> None:
    for full_name, number, phone, email, days_ago in DEMO_QUEUE:
        if RegistrationRequest.objects.filter(account_number=number).exists():
            continue
        request = registration.submit_registration(
            full_name=full_name,
            account_number=number,
            phone=phone,
            email=email,
            password="demo-applicant-2026",
            ip_address="127.0.0.1",
            user_agent="демонстрационные данные",
        )
        created = timezone.now() - timedelta(days=days_ago, hours=2)
        RegistrationRequest.objects.filter(pk=request.pk).update(created_at=created)
