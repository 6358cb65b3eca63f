"""The identifiers ГИС ЖКХ gives an account (docs/gis-zhkh.md), checked as the import and the
back-office form store them."""

import re

from kabinet.core.formats import plural

from .models import SERVICE_ID_LENGTH, UNIFIED_NUMBER_LENGTH

# ЕЛС: 10 letters and digits (ГИС writes its letters in Cyrillic capitals, «50ВН274718»);
# ИЖКУ: the ЕЛС, «-», the number of the provider's services for the payer, «50ВН274718-01».
_UNIFIED = re.compile(r"[0-9A-ZА-ЯЁ]{10}")
_SERVICE = re.compile(r"([0-9A-ZА-ЯЁ]{10})-(\d{2})")


def check_unified_number(text: str) -> str:
    """The ЕЛС as stored (capitals, no spaces), or ValueError with the reason in Russian."""
    value = text.strip().upper().replace(" ", "")
    if len(value) != UNIFIED_NUMBER_LENGTH:
        raise ValueError(
            f"ЕЛС «{text.strip()}» — {len(value)} {_signs(len(value))}, а в ЕЛС их {UNIFIED_NUMBER_LENGTH}"
        )
    if not _UNIFIED.fullmatch(value):
        raise ValueError(f"ЕЛС «{text.strip()}»: допустимы только буквы и цифры")
    return value


def check_service_id(text: str, *, unified_number: str = "") -> str:
    """The ИЖКУ as stored, or ValueError: 13 characters, the ЕЛС, «-», two digits."""
    value = text.strip().upper().replace(" ", "")
    if len(value) != SERVICE_ID_LENGTH:
        raise ValueError(
            f"идентификатор ЖКУ «{text.strip()}» — {len(value)} {_signs(len(value))}, "
            f"а должно быть {SERVICE_ID_LENGTH}"
        )
    match = _SERVICE.fullmatch(value)
    if not match:
        raise ValueError(f"идентификатор ЖКУ «{text.strip()}» не вида ЕЛС-NN (например, 50ВН274718-01)")
    if unified_number and match.group(1) != unified_number:
        raise ValueError(f"идентификатор ЖКУ {value} не начинается с ЕЛС {unified_number}")
    return value


def _signs(n: int) -> str:
    return plural(n, "знак", "знака", "знаков")
