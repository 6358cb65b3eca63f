"""Appeal personas: Ivanov writes appeals, his neighbour must never see them, an operator answers.

Attachments go to a temporary private directory per test.
"""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from kabinet.appeals.models import AppealCategory
from kabinet.core.models import User
from kabinet.residents.models import Resident, ResidentAccount

PASSWORD = "Sunflower-Tver-1961"


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.APPEALS_FILES_DIR = tmp_path / "private" / "appeals"
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.APPEALS_FILES_DIR


def make_resident(account, username: str, full_name: str, email: str) -> Resident:
    user = User.objects.create_user(username, password=PASSWORD, email=email)
    resident = Resident.objects.create(user=user, full_name=full_name, phone="+79123456789")
    ResidentAccount.objects.create(resident=resident, account=account)
    return resident


@pytest.fixture
def ivanov(ivanov_account) -> Resident:
    return make_resident(ivanov_account, "1000123456", "Иванов Иван Иванович", "ivanov@mail.ru")


@pytest.fixture
def neighbour(neighbour_account) -> Resident:
    return make_resident(neighbour_account, "1000123457", "Петрова Анна Сергеевна", "petrova@mail.ru")


@pytest.fixture
def company_with_email(company):
    company.email = "info@uk.example"
    company.save()
    return company


@pytest.fixture
def plumbing(db) -> AppealCategory:
    return AppealCategory.objects.create(name="Водоснабжение и канализация", position=10)


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (40, 30)) -> bytes:
    out = BytesIO()
    Image.new("RGB", size, (200, 60, 40)).save(out, fmt)
    return out.getvalue()


def photo(name: str = "протечка.png", fmt: str = "PNG") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes(fmt), content_type="image/png")


PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
# The start of a Windows program: what a virus renamed to «photo.jpg» looks like inside.
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def pdf(name: str = "акт.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def exe_as_jpg(name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, EXE_BYTES, content_type="image/jpeg")
