"""The file reader on its own: encodings, delimiters, header, line numbers."""

import pytest

from kabinet.billing.imports.read import ImportFileError, Row, column_positions, detect_encoding, read_table

COLUMNS = ("a", "b")


def rows_of(path, columns=COLUMNS) -> list[Row]:
    with read_table(path, columns=columns) as rows:
        return list(rows)


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("a;b\nЖ;1\n".encode(), "utf-8"),
        (b"\xef\xbb\xbf" + "a;b\nЖ;1\n".encode(), "utf-8-sig"),
        ("a;b\nЖ;1\n".encode("cp1251"), "cp1251"),
        (b"a;b\n1;2\n", "utf-8"),
    ],
)
def test_encoding_is_detected(tmp_path, data, encoding):
    path = tmp_path / "f.csv"
    path.write_bytes(data)

    assert detect_encoding(path) == encoding


def test_cp1251_letter_far_down_the_file_is_not_taken_for_utf8(tmp_path, monkeypatch):
    monkeypatch.setattr("kabinet.billing.imports.read._CHUNK", 16)
    path = tmp_path / "f.csv"
    path.write_bytes(b"a;b\n" + b"1;2\n" * 50 + "Ж;3\n".encode("cp1251"))

    assert detect_encoding(path) == "cp1251"
    assert rows_of(path)[-1].values == {"a": "Ж", "b": "3"}


def test_bom_followed_by_bytes_that_are_not_utf8_is_refused(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "a;b\nЖ;1\n".encode("cp1251"))

    with pytest.raises(ImportFileError, match="не в кодировке UTF-8"):
        detect_encoding(path)


def test_utf8_letter_split_between_chunks_is_still_utf8(tmp_path, monkeypatch):
    monkeypatch.setattr("kabinet.billing.imports.read._CHUNK", 5)
    path = tmp_path / "f.csv"
    path.write_bytes("a;b\nЖЖЖЖЖЖ;1\n".encode())

    assert detect_encoding(path) == "utf-8"


@pytest.mark.parametrize("delimiter", [";", ","])
def test_delimiter_is_taken_from_the_header(tmp_path, delimiter):
    path = tmp_path / "f.csv"
    path.write_text(f"a{delimiter}b\n1{delimiter}2\n", encoding="utf-8")

    assert rows_of(path) == [Row(2, {"a": "1", "b": "2"})]


def test_semicolon_file_with_commas_in_values(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("a;b\nг. Пермь, ул. Ленина;54,3\n", encoding="utf-8")

    assert rows_of(path) == [Row(2, {"a": "г. Пермь, ул. Ленина", "b": "54,3"})]


def test_trailing_empty_fields_are_not_a_problem(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("a;b;;\n1;2\n3;4;\n5;6;;\n", encoding="utf-8")

    assert [row.problem for row in rows_of(path)] == ["", "", ""]


def test_header_names_ignore_case_and_spaces_and_extra_columns():
    assert column_positions([" X ", " B", "A "], COLUMNS) == {"a": 2, "b": 1}


def test_column_named_twice_is_refused():
    with pytest.raises(ImportFileError, match="дважды: a"):
        column_positions(["a", "b", "A"], COLUMNS)


def test_header_error_comes_before_any_row(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("a;c\n1;2\n", encoding="utf-8")

    with pytest.raises(ImportFileError, match="нет столбцов: b"), read_table(path, columns=COLUMNS):
        pytest.fail("the block must not run")


def test_unclosed_quote_with_a_huge_field_stops_the_import(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text('a;b\n1;"' + "x" * 200_000 + "\n", encoding="utf-8")

    with pytest.raises(ImportFileError, match="строка 2: файл не удаётся разобрать"):
        rows_of(path)
