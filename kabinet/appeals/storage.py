"""Where residents' attachments live: a private directory, never MEDIA_ROOT or the static files.

Files are read back only through views that check the reader (the resident's own household or
staff), so the storage has no public URL at all.
"""

import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils import timezone


class PrivateStorage(FileSystemStorage):
    """A FileSystemStorage rooted at settings.APPEALS_FILES_DIR, read at each use (tests move it)."""

    @property
    def base_location(self) -> str:
        return str(settings.APPEALS_FILES_DIR)

    @property
    def location(self) -> str:
        return str(Path(self.base_location).resolve())

    def url(self, name: str | None) -> str:
        raise ValueError("Appeal files have no public address: they are served by the appeals views.")


_storage = PrivateStorage()


def appeal_storage() -> PrivateStorage:
    return _storage


def random_name(instance, filename: str) -> str:
    """A name nobody can guess or choose: the resident's own file name is kept in the database only."""
    suffix = Path(filename).suffix.lower()[:10]
    return f"{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"
