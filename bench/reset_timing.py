"""Does «Забыли пароль?» take longer for a login that has a cabinet? (issue 11: the oracle)

Run by hand (not part of `make test`):

    .venv/bin/python bench/reset_timing.py [--rounds 300] [--repeat 3]

It prepares its own database (postgres://postgres@127.0.0.1:5432/bench_reset unless DATABASE_URL
is given: the data there is replaced), registers one resident, and then asks for a reset, and
enters a wrong code, for the resident's account number and for a made-up one, in turns, through
Django's test client (the whole request: middleware, form, limits, service, template). The limits
are raised for the run, the same for both logins, so that every request goes the whole way and
the real cabinet's SMS is written each time. For each try it prints the median time of each kind
of request for both logins, their difference, and the noise: the difference between the medians
of the even and the odd rounds of the same login. The last line:

    reset request: real N.NN ms, made-up N.NN ms, difference N.NN ms, noise N.NN ms
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/bench_reset"
PLENTY = "1000000"


def setup() -> None:
    os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
    os.environ["DJANGO_SETTINGS_MODULE"] = "kabinet.settings"
    for name in (
        "KABINET_SMS_PER_PHONE",
        "KABINET_SMS_PER_ACCOUNT",
        "KABINET_SMS_PER_IP",
        "KABINET_CODE_GUESSES_PER_IP",
    ):
        os.environ[name] = PLENTY
    os.environ["KABINET_SMS_DAILY_CAP"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["KABINET_CODE_MAX_ATTEMPTS"] = PLENTY
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)


def resident() -> None:
    from kabinet.billing.models import Account
    from kabinet.core.models import User
    from kabinet.residents.models import Resident, ResidentAccount

    account = Account.objects.create(
        number="1000123456", holder_name="Иванов Иван Иванович", phone="+79123456789"
    )
    user = User.objects.create_user("1000123456", password="Sunflower-Tver-1961")
    person = Resident.objects.create(user=user, full_name="Иванов Иван Иванович", phone="+79123456789")
    ResidentAccount.objects.create(resident=person, account=account)


def timed(client, path: str, data: dict) -> float:
    started = time.perf_counter()
    response = client.post(path, data)
    elapsed = time.perf_counter() - started
    assert response.status_code in (200, 302), response.status_code
    return elapsed * 1000


def one_try(rounds: int) -> dict[str, dict[str, list[float]]]:
    from django.test import Client

    logins = {"real": "1000123456", "made-up": "1000999999"}
    clients = {kind: Client() for kind in logins}
    times: dict[str, dict[str, list[float]]] = {k: {"request": [], "code": []} for k in logins}
    code = {"code": "000000", "password1": "Birch-Volga-Evening-7", "password2": "Birch-Volga-Evening-7"}
    for n in range(rounds):
        order = list(logins) if n % 2 else list(reversed(logins))  # neither always goes first
        for kind in order:
            times[kind]["request"].append(timed(clients[kind], "/password/", {"login": logins[kind]}))
            times[kind]["code"].append(timed(clients[kind], "/password/code/", code))
    return times


def noise(samples: list[float]) -> float:
    return abs(statistics.median(samples[0::2]) - statistics.median(samples[1::2]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    setup()
    resident()
    one_try(20)  # warm up: templates, connections
    best = None
    for attempt in range(1, args.repeat + 1):
        times = one_try(args.rounds)
        line = {}
        for step in ("request", "code"):
            real, fake = statistics.median(times["real"][step]), statistics.median(times["made-up"][step])
            spread = max(noise(times["real"][step]), noise(times["made-up"][step]))
            line[step] = (real, fake, real - fake, spread)
            print(
                f"try {attempt} {step:7}: real {real:.2f} ms, made-up {fake:.2f} ms, "
                f"difference {real - fake:+.2f} ms, noise {spread:.2f} ms"
            )
        # The least disturbed try: the machine is shared, and a busy moment slows both alike.
        if best is None or line["request"][0] + line["request"][1] < best["request"][0] + best["request"][1]:
            best = line
    real, fake, difference, spread = best["request"]
    print(
        f"reset request: real {real:.2f} ms, made-up {fake:.2f} ms, "
        f"difference {difference:+.2f} ms, noise {spread:.2f} ms"
    )


if __name__ == "__main__":
    main()
