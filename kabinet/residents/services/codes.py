"""Issuing and checking one-time codes, for every purpose: registration, password reset, phone change.

The code itself (digits, keyed hash) is kabinet/residents/codes.py; the SMS that carries it is
written by the use case, which knows what to say.
"""

import enum
from datetime import timedelta

from django.conf import settings
from django.db.models import F, QuerySet
from django.utils import timezone

from .. import codes
from ..models import ConfirmationCode, RegistrationRequest, Resident


def issue_code(
    *,
    purpose: str,
    phone: str,
    lifetime: timedelta,
    registration_request: RegistrationRequest | None = None,
    resident: Resident | None = None,
    login_digest: str = "",
) -> tuple[ConfirmationCode, str]:
    """A new code for its holder, replacing the holder's live codes of that purpose.

    The holder is a registration request, a resident, or — for a password reset asked for a
    login without a cabinet — the keyed digest of that login (the decoy). Returns the stored row
    and the code in clear, for the SMS only: it is never stored.
    """
    now = timezone.now()
    ConfirmationCode.objects.filter(
        purpose=purpose,
        registration_request=registration_request,
        resident=resident,
        login_digest=login_digest,
        used_at=None,
        revoked_at=None,
    ).update(revoked_at=now)
    code = codes.new_code()
    confirmation = ConfirmationCode.objects.create(
        purpose=purpose,
        registration_request=registration_request,
        resident=resident,
        phone=phone,
        login_digest=login_digest,
        code_hash=codes.code_hash(purpose=purpose, phone=phone, code=code),
        created_at=now,
        expires_at=now + lifetime,
    )
    return confirmation, code


class CodeOutcome(enum.Enum):
    OK = ""
    NO_CODE = "Срок действия кода истёк. Нажмите «Получить новый код»."
    EXHAUSTED = "Код введён неверно слишком много раз. Нажмите «Получить новый код»."
    WRONG = "Неверный код. Проверьте цифры в SMS."


def try_code(candidates: QuerySet[ConfirmationCode], code: str) -> tuple[CodeOutcome, int]:
    """Check `code` against the newest live code among `candidates`.

    The attempt is counted first, by one conditional UPDATE that only a code with attempts left
    passes: simultaneous guesses each take their own attempt, and no more than the limit are
    ever compared. Call inside a transaction that commits a wrong attempt.
    """
    confirmation = candidates.filter(used_at=None, revoked_at=None).order_by("-created_at").first()
    if confirmation is None or confirmation.is_expired:
        return CodeOutcome.NO_CODE, 0
    limit = settings.REGISTRATION_CODE_MAX_ATTEMPTS
    live = ConfirmationCode.objects.filter(pk=confirmation.pk, used_at=None, revoked_at=None)
    if not live.filter(attempts__lt=limit).update(attempts=F("attempts") + 1):
        return CodeOutcome.EXHAUSTED, 0
    attempts = live.values_list("attempts", flat=True).first() or limit
    if codes.code_matches(
        purpose=confirmation.purpose,
        phone=confirmation.phone,
        code=code,
        expected_hash=confirmation.code_hash,
    ):
        # Single use: of two simultaneous right answers only one marks the code used.
        if live.update(used_at=timezone.now()):
            return CodeOutcome.OK, 0
        return CodeOutcome.NO_CODE, 0
    left = limit - attempts
    return (CodeOutcome.WRONG if left else CodeOutcome.EXHAUSTED), left
