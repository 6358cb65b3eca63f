"""Demo appeals for `make run`: the categories, and two appeals of the demo resident, one answered.

Idempotent: categories are matched by name; the appeals are added only while her account has none.
Also lets the demo «Операторы» group work the appeals inbox.
"""

from datetime import timedelta

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from kabinet.billing.models import Account
from kabinet.core.models import User

from .models import Appeal, AppealCategory, AppealReply

DEMO_CATEGORIES = [
    "Водоснабжение и канализация",
    "Отопление",
    "Электричество",
    "Уборка и благоустройство",
    "Лифт",
    "Начисления и оплата",
    "Приборы учёта",
    "Другое",
]
DEMO_ACCOUNT = "1000123461"
OPERATOR_PERMISSIONS = [
    "view_appeal",
    "change_appeal",
    "view_appealcategory",
    "add_appealcategory",
    "change_appealcategory",
]


@transaction.atomic
def load_demo_appeals() -> None:
    categories = {}
    for position, name in enumerate(DEMO_CATEGORIES, start=1):
        categories[name], _ = AppealCategory.objects.get_or_create(
            name=name, defaults={"position": position * 10}
        )
    operators = Group.objects.filter(name="Операторы").first()
    if operators:
        operators.permissions.add(*Permission.objects.filter(codename__in=OPERATOR_PERMISSIONS))
    account = Account.objects.filter(number=DEMO_ACCOUNT).select_related("registration__resident").first()
    registration = getattr(account, "registration", None)
    if registration is None or Appeal.objects.filter(account=account).exists():
        return
    resident = registration.resident
    now = timezone.now()
    answered = Appeal.objects.create(
        account=account,
        resident=resident,
        category=categories["Уборка и благоустройство"],
        text="В третьем подъезде не горит лампа на площадке 4 этажа, вечером совсем темно.",
        status=Appeal.Status.DONE,
        created_at=now - timedelta(days=6),
        answered_at=now - timedelta(days=5),
    )
    AppealReply.objects.create(
        appeal=answered,
        author=User.objects.filter(username="operator").first(),
        text="Здравствуйте! Лампу заменили, электрик проверил проводку на этаже. Спасибо за сообщение.",
        status=Appeal.Status.DONE,
        created_at=now - timedelta(days=5),
    )
    Appeal.objects.create(
        account=account,
        resident=resident,
        category=categories["Отопление"],
        text="В большой комнате батарея едва тёплая, в остальных комнатах нормально. Прошу проверить.",
        created_at=now - timedelta(hours=20),
    )
