import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kabinet.appeals.files import FileRefused, check_file

from .conftest import exe_as_jpg, image_bytes, pdf, photo

MB = 1024 * 1024


@pytest.mark.parametrize(("fmt", "content_type"), [("PNG", "image/png"), ("JPEG", "image/jpeg")])
def test_photos_are_recognised_by_their_content(fmt, content_type):
    checked = check_file(photo("снимок.dat", fmt), max_bytes=MB)

    assert (checked.content_type, checked.extension) == (content_type, ".png" if fmt == "PNG" else ".jpg")


def test_pdf_is_recognised_by_its_header():
    assert check_file(pdf(), max_bytes=MB).content_type == "application/pdf"


def test_a_program_renamed_to_jpg_is_refused_as_a_program():
    with pytest.raises(FileRefused, match=r"«photo\.jpg» — это программа"):
        check_file(exe_as_jpg(), max_bytes=MB)


def test_a_text_file_renamed_to_png_is_refused():
    fake = SimpleUploadedFile("скан.png", b"just some text, not a picture" * 10, content_type="image/png")

    with pytest.raises(FileRefused, match="не похож на фотографию или документ PDF"):
        check_file(fake, max_bytes=MB)


def test_a_png_with_a_broken_body_is_refused():
    good = image_bytes("PNG")
    broken = SimpleUploadedFile("битый.png", good[:40] + b"\x00" * (len(good) - 40))

    with pytest.raises(FileRefused):
        check_file(broken, max_bytes=MB)


def test_a_file_over_the_size_limit_is_refused_with_the_limit_named():
    big = SimpleUploadedFile("большой.pdf", b"%PDF-1.4\n" + b"0" * (2 * MB))

    with pytest.raises(FileRefused, match="больше 1 МБ"):
        check_file(big, max_bytes=MB)


def test_an_empty_file_is_refused():
    with pytest.raises(FileRefused, match="пустой"):
        check_file(SimpleUploadedFile("пусто.jpg", b""), max_bytes=MB)


def test_the_file_can_be_read_again_after_the_check():
    upload = photo()

    check_file(upload, max_bytes=MB)

    assert upload.read(8) == b"\x89PNG\r\n\x1a\n"
