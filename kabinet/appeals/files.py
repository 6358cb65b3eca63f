"""What a resident may attach: photos and PDF documents, recognised by their content.

The file name and the browser's Content-Type are the sender's word; the first bytes and Pillow's
check are the file's own. A program renamed to «photo.jpg» is refused here.
"""

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.files.uploadedfile import UploadedFile
from PIL import Image

# Pillow format → (content type, extension the stored copy gets)
IMAGE_TYPES = {
    "JPEG": ("image/jpeg", ".jpg"),
    "PNG": ("image/png", ".png"),
    "GIF": ("image/gif", ".gif"),
    "WEBP": ("image/webp", ".webp"),
}
PDF = ("application/pdf", ".pdf")
# First bytes of programs and archives, to say plainly what was sent.
EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"#!")
ALLOWED_WORDING = "фотографию (JPG, PNG, GIF, WEBP) или документ PDF"


EXTENSIONS = {content_type: extension for content_type, extension in (*IMAGE_TYPES.values(), PDF)}


def download_name(original_name: str, content_type: str) -> str:
    """The sender's name with the extension of the type the check found: a PDF sent as «акт.html»
    is saved by the operator's browser as «акт.pdf», never as a page that would open as HTML."""
    name = PurePosixPath(original_name.replace("\\", "/")).name
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", name) or "файл"  # «акт.html» → «акт»; «И.И. Иванов» stays
    return stem + EXTENSIONS.get(content_type, ".bin")


class FileRefused(ValueError):
    """The reason, in Russian, to show beside the file field."""


@dataclass(frozen=True)
class CheckedFile:
    upload: UploadedFile
    content_type: str
    extension: str


def check_file(upload: UploadedFile, *, max_bytes: int) -> CheckedFile:
    name = upload.name or "файл"
    if upload.size == 0:
        raise FileRefused(f"Файл «{name}» пустой.")
    if upload.size > max_bytes:
        limit = max_bytes // (1024 * 1024)
        raise FileRefused(f"Файл «{name}» больше {limit} МБ. Уменьшите фотографию или приложите другой файл.")
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return CheckedFile(upload, *PDF)
    if head.startswith(EXECUTABLE_MAGIC):
        raise FileRefused(
            f"Файл «{name}» — это программа, а не фотография или документ. "
            f"Такие файлы прикладывать нельзя: выберите {ALLOWED_WORDING}."
        )
    image_type = _image_type(upload)
    if image_type is None:
        raise FileRefused(
            f"Файл «{name}» не похож на фотографию или документ PDF. Можно приложить {ALLOWED_WORDING}."
        )
    return CheckedFile(upload, *image_type)


def _image_type(upload: UploadedFile) -> tuple[str, str] | None:
    try:
        with Image.open(upload) as image:
            found = IMAGE_TYPES.get(image.format or "")
            image.verify()  # reads the whole file: a broken or disguised one fails here
    except Exception:  # Pillow raises many kinds for non-images, bombs included
        return None
    finally:
        upload.seek(0)
    return found
