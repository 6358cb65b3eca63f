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


def ensure_policy_documents(policy_document_model) -> None:
    """Publish the first editions unless they exist; takes the model (historical in migrations)."""
    start = datetime.datetime(2025, 9, 1, tzinfo=datetime.UTC)
    for kind, title in TITLES.items():
        text = (TEXTS / f"{kind}-{FIRST_EDITION}.txt").read_text(encoding="utf-8").strip()
        policy_document_model.objects.get_or_create(
            kind=kind, version=FIRST_EDITION, defaults={"title": title, "text": text, "published_at": start}
        )
