"""The first editions of the privacy policy and of the separate consent (152-ФЗ).

The texts are in policy_texts/; the data migration publishes them, and tests that empty the
database publish them again. The company edits them by publishing a new edition in the
back-office: accepted editions stay unchanged as evidence.
"""

import datetime
from pathlib import Path

TEXTS = Path(__file__).resolve().parent / "policy_texts"
FIRST_EDITION = "2025-09-01"
TITLES = {
    "privacy": "Положение о конфиденциальности",
    "consent": "Согласие на обработку персональных данных",
}


# The consent's edition that names the operator of personal data — name, address, ИНН, ОГРН —
# as 152-ФЗ ст. 9 ч. 4 п. 2 requires: «{оператор}» in its text stands for the company's details.
OPERATOR_EDITION = "2026-12-04"
EDITIONS = [
    ("privacy", FIRST_EDITION, datetime.datetime(2025, 9, 1, tzinfo=datetime.UTC)),
    ("consent", FIRST_EDITION, datetime.datetime(2025, 9, 1, tzinfo=datetime.UTC)),
    ("consent", OPERATOR_EDITION, datetime.datetime(2026, 12, 4, tzinfo=datetime.UTC)),
]


def ensure_policy_documents(policy_document_model) -> None:
    """Publish the starting editions unless they exist; takes the model (historical in migrations)."""
    for kind, version, start in EDITIONS:
        text = (TEXTS / f"{kind}-{version}.txt").read_text(encoding="utf-8").strip()
        policy_document_model.objects.get_or_create(
            kind=kind, version=version, defaults={"title": TITLES[kind], "text": text, "published_at": start}
        )


# Ready-made reasons to reject a registration request: what operators write most often, in the
# applicant's words. The administrator edits the list in the back-office («Причины отказа»).
REJECTION_REASONS = [
    "ФИО в заявке не совпадает с ФИО ответственного квартиросъёмщика по этому лицевому счёту. "
    "Укажите ФИО так, как оно написано в квитанции, и подайте заявку снова.",
    "Лицевой счёт с таким номером не найден. Проверьте номер по квитанции и подайте заявку снова.",
    "По этому лицевому счёту уже зарегистрирован личный кабинет. Если вы его не открывали, "
    "обратитесь в управляющую компанию.",
    "Телефон в заявке не совпадает с телефоном, который есть у управляющей компании. Обратитесь в офис "
    "управляющей компании с паспортом, чтобы обновить телефон, или укажите прежний номер.",
    "Заявитель не является собственником или нанимателем помещения. Кабинет может открыть "
    "ответственный квартиросъёмщик, указанный в квитанции.",
]


def ensure_rejection_reasons(rejection_reason_model) -> None:
    """The starting list, unless the company already has reasons of its own."""
    if not rejection_reason_model.objects.exists():
        rejection_reason_model.objects.bulk_create(
            rejection_reason_model(text=text, position=10 * (i + 1))
            for i, text in enumerate(REJECTION_REASONS)
        )
