"""Demo data for `make run`: a company, a few accounts and two staff users (see README), then each
app's own demo data (`<app>/demo.py`), in the order their rows depend on each other."""

from decimal import Decimal

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from kabinet.appeals.demo import load_demo_appeals
from kabinet.billing.demo import load_demo_billing
from kabinet.billing.models import Account
from kabinet.core.models import Company, User
from kabinet.meters.demo import load_demo_meters
from kabinet.public.demo import load_demo_content
from kabinet.residents.demo import load_demo_queue, load_demo_resident

DEMO_ACCOUNTS = [
    # number, holder, address, area, phone in the billing data
    ("1000123456", "Иванов Иван Иванович", "г. Тверь, ул. Советская, д. 12, кв. 5", "54.30", "+79123456789"),
    ("1000123457", "Петрова Анна Сергеевна", "г. Тверь, ул. Советская, д. 12, кв. 17", "38.10", ""),
    (
        "1000123458",
        "Сидоров Пётр Николаевич",
        "г. Тверь, ул. Советская, д. 14, кв. 2",
        "71.00",
        "+79031234567",
    ),
    ("1000123459", "Кузнецова Мария Ёлкина", "г. Тверь, пр-т Победы, д. 3, кв. 44", "45.60", "+79051112233"),
    ("1000123460", "Смирнов-Орлов Алексей Викторович", "г. Тверь, пр-т Победы, д. 3, кв. 45", "62.25", ""),
    # Already registered: the demo resident of kabinet/residents/demo.py holds both.
    (
        "1000123461",
        "Морозова Ольга Петровна",
        "г. Тверь, ул. Советская, д. 12, кв. 9",
        "58.40",
        "+79161234567",
    ),
    ("1000123462", "Морозова Ольга Петровна", "г. Тверь, пр-т Победы, д. 3, кв. 12", "33.70", "+79161234567"),
    # Someone else applied for it: the request waits in the operators' queue (residents/demo.py).
    ("1000123463", "Васильев Николай Сергеевич", "г. Тверь, ул. Советская, д. 14, кв. 8", "47.20", ""),
]
STAFF = [
    # username, password, is_superuser, first and last name (the back-office greets by the first)
    ("admin", "demo-admin-2026", True, "Сергей", "Волков"),
    ("operator", "demo-operator-2026", False, "Анна", "Соколова"),
]
OPERATOR_PERMISSIONS = [
    "view_registrationrequest",
    "change_registrationrequest",
    "view_rejectionreason",
    "view_resident",
    "view_consent",
    "view_account",
    "view_service",
    "view_accrual",
    "view_payment",
    "view_accountperiod",
    "view_importjob",
    "add_importjob",
    "view_importprofile",
    "change_importprofile",
    "view_gisexchange",
    "view_unmatchedpayment",
    "change_unmatchedpayment",
    "view_paymentregistry",
    "view_agenttransfer",
    "view_bankagent",
    "view_purposepattern",
    "view_outboxmessage",
    "view_page",
    "change_page",
    "view_newsitem",
    "add_newsitem",
    "change_newsitem",
    "view_disclosuredocument",
    "add_disclosuredocument",
    "change_disclosuredocument",
]


def is_empty() -> bool:
    return not Account.objects.exists() and not User.objects.exists()


@transaction.atomic
def load_demo_data() -> None:
    Company.objects.update_or_create(
        pk=1,
        defaults={
            "name": "ООО «Управляющая компания „Уютный дом“»",
            "short_name": "УК «Уютный дом»",
            "address": "г. Тверь, ул. Советская, д. 10, офис 1",
            "legal_address": "170100, г. Тверь, ул. Советская, д. 10, офис 1",
            "phone": "+7 (4822) 55-00-00",
            "emergency_phone": "+7 (4822) 55-00-01",
            "emergency_hours": "круглосуточно",
            "email": "info@uyut-dom.example",
            "working_hours": "Пн–Пт 9:00–18:00, обед 13:00–14:00",
            # Valid by their check digits and the БИК key; the bank is Сбербанк's Tver branch.
            "inn": "6950123450",
            "ogrn": "1026900123458",  # valid by its check digit
            "kpp": "695001001",
            "bank_name": "Тверское отделение № 8607 ПАО Сбербанк",
            "bik": "042809679",
            "settlement_account": "40702810563000001234",
            "correspondent_account": "30101810700000000679",
        },
    )
    for number, holder, address, area, phone in DEMO_ACCOUNTS:
        Account.objects.update_or_create(
            number=number,
            defaults={"holder_name": holder, "address": address, "area": Decimal(area), "phone": phone},
        )
    operators, _ = Group.objects.get_or_create(name="Операторы")
    operators.permissions.set(Permission.objects.filter(codename__in=OPERATOR_PERMISSIONS))
    for username, password, superuser, first_name, last_name in STAFF:
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={
                "is_staff": True,
                "is_superuser": superuser,
                "first_name": first_name,
                "last_name": last_name,
            },
        )
        user.set_password(password)
        user.save()
        if not superuser:
            user.groups.add(operators)
    load_demo_billing([number for number, *_ in DEMO_ACCOUNTS])
    load_demo_content()
    load_demo_resident()
    load_demo_queue()
    load_demo_appeals()
    load_demo_meters()
