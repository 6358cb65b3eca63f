"""Data for the drills, made inside the stack's own Django (run with the stack's environment):

python -m kabinet.ops.stack.seed residents 40 10   → JSON [[login, [meter ids]], …]
python -m kabinet.ops.stack.seed sms 300 drill-2   → queues 300 SMS whose texts carry the tag
python -m kabinet.ops.stack.seed uncertain         → JSON [[id, phone, text]] of possibly sent SMS
python -m kabinet.ops.stack.seed settle '{"sent": [ids], "resend": [ids]}'  → the operator's decision
"""

import json
import sys

import django

PASSWORD = "Drill-Reading-2026"
ACCOUNT_BASE = 7_700_000_000


def residents_with_meters(
    numbers: list[str], *, address: str, meters_each: int, serial_prefix: str, password_hash: str
) -> list[tuple[str, list[int]]]:
    """Residents for a load, each with an account `numbers[i]` (also the login) and `meters_each`
    cold-water meters; the readings window is opened for today. Returns (login, meter ids) per
    resident. Shared by the stack's drills and bench/readings_peak.py."""
    from django.db import transaction

    from kabinet.billing.models import Account
    from kabinet.core.models import User
    from kabinet.meters.models import Building, Meter, ReadingSchedule
    from kabinet.residents.models import Resident, ResidentAccount

    with transaction.atomic():
        schedule = ReadingSchedule.load()
        schedule.opens_day, schedule.closes_day = 1, 31  # the readings window is open today
        schedule.save()
        building, _ = Building.objects.get_or_create(address=address)
        accounts = Account.objects.bulk_create(
            Account(number=n, holder_name=f"Житель {n}", address=f"{building.address}, кв. {i + 1}")
            for i, n in enumerate(numbers)
        )
        users = User.objects.bulk_create(User(username=n, password=password_hash) for n in numbers)
        people = Resident.objects.bulk_create(
            Resident(user=u, full_name=f"Житель {u.username}", phone="+79990000000", reminder_channel="none")
            for u in users
        )
        ResidentAccount.objects.bulk_create(
            ResidentAccount(resident=r, account=a) for r, a in zip(people, accounts, strict=True)
        )
        Meter.objects.bulk_create(
            Meter(
                account=a,
                building=building,
                service="cold_water",
                serial_number=f"{serial_prefix}-{m}",
                initial_value=100,
            )
            for a in accounts
            for m in range(meters_each)
        )
    ids: dict[int, list[int]] = {a.pk: [] for a in accounts}
    meters = Meter.objects.filter(account__in=accounts).order_by("id").values_list("account_id", "id")
    for account_id, meter_id in meters:
        ids[account_id].append(meter_id)
    return [(a.number, ids[a.pk]) for a in accounts]


def residents(count: int, meters_each: int) -> list:
    from django.contrib.auth.hashers import make_password

    from kabinet.billing.models import Account

    first = ACCOUNT_BASE + Account.objects.filter(number__startswith="77").count()
    return residents_with_meters(
        [str(first + n) for n in range(count)],
        address="г. Тверь, ул. Учебная, д. 1",
        meters_each=meters_each,
        serial_prefix="У",
        password_hash=make_password(PASSWORD),
    )


def sms(count: int, tag: str) -> int:
    from kabinet.messaging.services import send_sms

    for n in range(count):
        send_sms(phone=f"+7912{n:07d}", text=f"{tag}: сообщение {n}")
    return count


def uncertain() -> list:
    from kabinet.messaging.models import OutboxMessage

    rows = OutboxMessage.objects.filter(status=OutboxMessage.Status.UNCERTAIN).order_by("id")
    return [list(row) for row in rows.values_list("id", "recipient", "body")]


def settle(decision: dict[str, list[int]]) -> dict[str, int]:
    """What an operator does in the back-office, without a browser (the drills' operator)."""
    from kabinet.messaging import services
    from kabinet.messaging.models import OutboxMessage

    found = OutboxMessage.objects.filter(pk__in=decision.get("sent", []))
    missing = OutboxMessage.objects.filter(pk__in=decision.get("resend", []))
    marked = services.mark_sent(messages=found, staff=None, ip=None)
    return {"marked": marked, "resent": services.resend(messages=missing, staff=None, ip=None).queued}


if __name__ == "__main__":
    django.setup()
    what, *args = sys.argv[1:]
    if what == "residents":
        print(json.dumps(residents(int(args[0]), int(args[1]))))
    elif what == "sms":
        print(sms(int(args[0]), args[1]))
    elif what == "uncertain":
        print(json.dumps(uncertain(), ensure_ascii=False))
    elif what == "settle":
        print(json.dumps(settle(json.loads(args[0]))))
    else:
        sys.exit(f"unknown: {what}")
