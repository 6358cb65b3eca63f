"""Kept payment documents: each is made once per account and month and kept as a file
(`KABINET_BILLING_RECEIPTS_DIR`); it is made again only when something it shows has changed.

Whether it has is not guessed from events (an import, a payment, a reading, the company's
details): the document's inputs are read as for making it — a few small queries — and their
digest names the file. Any change to any of them, or to the code that lays the document out,
gives another name, so a kept file is never stale.
"""

import dataclasses
import hashlib
import os
import re
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import models

from kabinet.core.models import Company
from kabinet.meters.selectors import payment_document_readings

from .. import payment_qr
from ..selectors import PaymentDocument
from . import pdf

# The code the document's look depends on: a new release of it makes every document again.
_LAYOUT = hashlib.sha256(
    b"".join(Path(module.__file__).read_bytes() for module in (pdf, payment_qr))
).hexdigest()


def _facts(value: object) -> object:
    """Everything an input of a payment document holds, as plain values, for the digest."""
    if isinstance(value, models.Model):
        return (
            value._meta.label,
            [(f.attname, _facts(getattr(value, f.attname))) for f in value._meta.concrete_fields],
        )
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (
            type(value).__name__,
            [(f.name, _facts(getattr(value, f.name))) for f in dataclasses.fields(value)],
        )
    if isinstance(value, dict):
        return sorted((str(k), _facts(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [_facts(item) for item in value]
    return value


def digest_of(document: PaymentDocument, company: Company, readings: list) -> str:
    facts = [
        _facts(document),
        [_facts(line.service) for line in document.lines + document.penalties],
        _facts(company),
    ]
    facts += [[_facts(r.meter), _facts(r.previous), _facts(r.current)] for r in readings]
    return hashlib.sha256(f"{_LAYOUT}|{facts!r}".encode()).hexdigest()[:40]


def kept_pdf(document: PaymentDocument, company: Company) -> bytes:
    """The PDF of the document: the kept file if its inputs are unchanged, else made now
    (and kept, replacing the account's older file of that month)."""
    readings = payment_document_readings(document.account, document.period)
    digest = digest_of(document, company, readings)
    folder = Path(settings.BILLING_RECEIPTS_DIR) / re.sub(r"[^0-9A-Za-z-]", "_", document.account.number)
    stem = f"{document.period:%Y-%m}"
    path = folder / f"{stem}-{digest}.pdf"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    made = pdf.render_pdf(document, company, readings)
    folder.mkdir(parents=True, exist_ok=True)
    # Written whole under a temporary name, then renamed: another worker asking at the same time
    # reads the old file, no file, or the whole new one, never half of it.
    with tempfile.NamedTemporaryFile(dir=folder, prefix=f".{stem}-", suffix=".tmp", delete=False) as out:
        out.write(made)
    os.replace(out.name, path)
    for older in folder.glob(f"{stem}-*.pdf"):
        if older != path:
            older.unlink(missing_ok=True)
    return made
