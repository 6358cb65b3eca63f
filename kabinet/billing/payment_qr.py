"""The payment QR code of ГОСТ Р 56042-2014, which any Russian bank app reads to pay a receipt.

The payload is `ST00012` (format ST0001, encoding 2 = UTF-8) followed by `|Key=Value` pairs:
the required payee block (Name, PersonalAcc, BankName, BIC, CorrespAcc), then Sum in kopecks,
Purpose, PayeeINN, KPP and the housing fields (PersAcc, payer, PaymPeriod, TechCode=02 —
«Коммунальные услуги (ЖКХ)»).
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import segno

HEADER = "ST00012"
TECH_CODE_HOUSING = "02"


@dataclass(frozen=True)
class Payee:
    name: str
    inn: str
    kpp: str
    bank_name: str
    bic: str
    account: str  # расчётный счёт, 20 digits
    correspondent_account: str  # корр. счёт, 20 digits

    @property
    def complete(self) -> bool:
        """Banks refuse a code without the whole payee block; better no code than a wrong one."""
        return bool(
            self.name
            and self.bank_name
            and len(self.bic) == 9
            and len(self.account) == 20
            and len(self.correspondent_account) == 20
        )


def _clean(value: str, limit: int) -> str:
    # «|» separates the fields; a line break would end the payload for some readers.
    return " ".join(str(value).replace("|", " ").split())[:limit]


def kopecks(amount: Decimal) -> int:
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def payload(
    *,
    payee: Payee,
    amount: Decimal,
    purpose: str,
    account_number: str,
    period: date,
    payer_name: str = "",
    payer_address: str = "",
) -> str:
    fields = [
        ("Name", _clean(payee.name, 160)),
        ("PersonalAcc", payee.account),
        ("BankName", _clean(payee.bank_name, 45)),
        ("BIC", payee.bic),
        ("CorrespAcc", payee.correspondent_account),
        ("PayeeINN", payee.inn),
        ("KPP", payee.kpp),
        ("Sum", str(max(kopecks(amount), 0))),
        ("Purpose", _clean(purpose, 210)),
        ("PersAcc", _clean(account_number, 30)),
    ]
    names = payer_name.split()
    for key, value in zip(("LastName", "FirstName", "MiddleName"), names[:3], strict=False):
        fields.append((key, _clean(value, 60)))
    if payer_address:
        fields.append(("PayerAddress", _clean(payer_address, 210)))
    fields += [("PaymPeriod", f"{period:%m%Y}"), ("TechCode", TECH_CODE_HOUSING)]
    return HEADER + "".join(f"|{key}={value}" for key, value in fields if value)


def parse(text: str) -> dict[str, str]:
    """The fields of a payload back, as a bank app reads them (used by tests and by support)."""
    header, *pairs = text.split("|")
    if header != HEADER:
        raise ValueError(f"not a ГОСТ Р 56042 UTF-8 payload: {header!r}")
    return dict(pair.split("=", 1) for pair in pairs)


def qr_code(text: str) -> segno.QRCode:
    # Level M survives a crease in the paper; the payload is bytes in UTF-8, as ST00012 says.
    return segno.make_qr(text.encode("utf-8"), error="m", boost_error=False)
