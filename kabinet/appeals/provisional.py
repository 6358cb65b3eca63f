"""Files chosen on an appeal form that came back with an error, kept for the resident's session.

A browser never keeps chosen files across a reload: without this, a photo attached to an appeal
silently disappeared when the form showed an error (issue 15, 5). The checked files are stored in
the private appeals directory under a random name that only the session holds; the next
submission of the form in that session takes them (or drops those the resident removed).
Abandoned ones are swept after a day.
"""

import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from .files import CheckedFile

SESSION_KEY = "appeal_provisional_files"
KEEP_SECONDS = 24 * 3600
NEW_APPEAL = ""  # the scope of the new appeal's form; a message on appeal N has "appeal-N"


def _key(scope: str) -> str:
    """Each form keeps its own files: a photo chosen for one appeal never joins another."""
    return f"{SESSION_KEY}:{scope}" if scope else SESSION_KEY


def scope_of(appeal_pk: int) -> str:
    return f"appeal-{appeal_pk}"


def _directory() -> Path:
    path = Path(settings.APPEALS_FILES_DIR) / "provisional"
    path.mkdir(parents=True, exist_ok=True)
    return path


def held(session, scope: str = NEW_APPEAL) -> list[dict]:
    """The files kept for this session's form: name and token, for the form to show."""
    return list(session.get(_key(scope), []))


def keep(session, files: list[CheckedFile], scope: str = NEW_APPEAL) -> None:
    _sweep()
    kept = held(session, scope)
    for checked in files[: max(0, settings.APPEALS_MAX_FILES - len(kept))]:
        token = uuid.uuid4().hex
        with open(_directory() / token, "wb") as out:
            for chunk in checked.upload.chunks():
                out.write(chunk)
        kept.append(
            {
                "token": token,
                "name": checked.upload.name or "файл",
                "content_type": checked.content_type,
                "extension": checked.extension,
            }
        )
    session[_key(scope)] = kept


def take(session, scope: str = NEW_APPEAL, *, drop: set[str] = frozenset()) -> list[CheckedFile]:
    """The kept files as checked uploads, minus those the resident removed; the session lets go of
    them all (put them back with `keep` if the submission fails)."""
    files = []
    for entry in session.pop(_key(scope), []):
        path = _directory() / entry["token"]
        if not path.is_file():
            continue
        if entry["token"] not in drop:
            upload = SimpleUploadedFile(entry["name"], path.read_bytes(), content_type=entry["content_type"])
            files.append(
                CheckedFile(upload=upload, content_type=entry["content_type"], extension=entry["extension"])
            )
        path.unlink(missing_ok=True)
    return files


def _sweep() -> None:
    limit = time.time() - KEEP_SECONDS
    for path in _directory().iterdir():
        if path.is_file() and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
