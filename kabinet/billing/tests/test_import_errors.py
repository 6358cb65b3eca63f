import pytest
from django.core.management.base import CommandError

from kabinet.billing.models import Account
from kabinet.billing.tests.helpers import HEADER, run_import

pytestmark = pytest.mark.django_db

GOOD = "1000000001;Иванов Иван Иванович;г. Пермь, ул. Ленина, д. 1;54,3;89123456789;ivanov@example.ru"


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (";Петров Пётр;Пермь;;;", "не указан номер лицевого счёта"),
        ("1000#0002;Петров Пётр;Пермь;;;", "номер лицевого счёта «1000#0002» указан с ошибкой"),
        ("1" * 31 + ";Петров Пётр;Пермь;;;", "не больше 30 знаков"),
        ("1000000002; ;Пермь;;;", "не указаны ФИО"),
        ("1000000002;Петров Пётр;;;;", "не указан адрес"),
        ("1000000002;Петров Пётр;Пермь;много;;", "площадь «много» — не число"),
        ("1000000002;Петров Пётр;Пермь;-5;;", "площадь «-5» отрицательная"),
        ("1000000002;Петров Пётр;Пермь;54,333;;", "не больше двух знаков после запятой"),
        ("1000000002;Петров Пётр;Пермь;10000000;;", "площадь «10000000» слишком велика"),
        ("1000000002;Петров Пётр;Пермь;;12345;", "телефон «12345» не распознан"),
        ("1000000002;Петров Пётр;Пермь;;;petrov@", "e-mail «petrov@» указан с ошибкой"),
        ("1000000002;Петров Пётр;Пермь;;", "полей в строке: 5, в заголовке: 6"),
        ("1000000002;Петров Пётр;Пермь; ул. Ленина;;;", "полей в строке: 7, в заголовке: 6"),
        ("1000000002;Петров\x00Пётр;Пермь;;;", "ФИО «Петров Пётр» содержит недопустимые"),
        ("1000000002;" + "Я" * 201 + ";Пермь;;;", "ФИО длиннее 200 знаков"),
    ],
)
def test_bad_row_is_reported_with_its_line_and_the_good_ones_are_imported(write_file, row, reason):
    output = run_import(write_file([HEADER, GOOD, row, GOOD.replace("1000000001", "1000000003")]))

    assert len(output) == 2
    assert output[0].startswith("строка 3: ")
    assert reason in output[0]
    assert output[1] == "Лицевые счета: добавлено 2, обновлено 0, без изменений 0, ошибок 1."
    assert set(Account.objects.values_list("number", flat=True)) == {"1000000001", "1000000003"}


def test_second_occurrence_of_an_account_names_the_first_line(write_file):
    other = GOOD.replace("Иванов Иван Иванович", "Иванова Мария")

    output = run_import(write_file([HEADER, GOOD, other]))

    assert output == [
        "строка 3: лицевой счёт 1000000001 уже встречался в строке 2",
        "Лицевые счета: добавлено 1, обновлено 0, без изменений 0, ошибок 1.",
    ]
    assert Account.objects.get().holder_name == "Иванов Иван Иванович"


def test_every_problem_of_a_row_is_reported_at_once(write_file):
    output = run_import(write_file([HEADER, "1000000002;;Пермь;abc;12345;"]))

    assert output[0] == (
        "строка 2: не указаны ФИО; площадь «abc» — не число: нужно неотрицательное число, например 54,3; "
        "телефон «12345» не распознан: нужен один номер, например +7 912 345-67-89 или 8-912-345-67-89"
    )


def test_line_numbers_count_blank_lines_and_lines_inside_quotes(write_file):
    lines = [
        HEADER,
        GOOD,
        "",
        ";;;;;",
        '1000000002;Петров Пётр;"г. Пермь,',
        'ул. Ленина";;;',
        "1000000003;Сидоров;Пермь;;;bad@",
    ]

    output = run_import(write_file(lines))

    assert output[0].startswith("строка 7: e-mail «bad@»")
    assert output[1] == "Лицевые счета: добавлено 2, обновлено 0, без изменений 0, ошибок 1."
    assert Account.objects.get(number="1000000002").address == "г. Пермь, ул. Ленина"


def test_summary_counts_each_outcome(write_file):
    run_import(
        write_file(
            [HEADER, GOOD, "1000000002;Петров Пётр;Пермь;;;", "1000000003;Сидоров;Пермь;;;"], name="a.csv"
        )
    )
    lines = [
        HEADER,
        GOOD,
        "1000000002;Петров Пётр Ильич;Пермь;;;",
        "1000000003;Сидоров;Пермь;;;",
        "1000000004;Кузнецов;Пермь;;;",
        "1000000005;Смирнов;Пермь;;;",
        "1000000006;Попов;Пермь;;;",
        "1000000007;;Пермь;;;",
    ]

    output = run_import(write_file(lines, name="b.csv"))

    assert output[-1] == "Лицевые счета: добавлено 3, обновлено 1, без изменений 2, ошибок 1."


def test_without_skipping_bad_rows_a_bad_row_changes_nothing_and_the_command_fails(write_file):
    path = write_file([HEADER, GOOD, ";Петров Пётр;Пермь;;;"])

    with pytest.raises(CommandError, match="Файл не загружен"):
        run_import(path, skip_bad=False)

    assert not Account.objects.exists()
