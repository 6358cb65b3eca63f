"""Files as ГИС ЖКХ gives them back, written from their published layouts (docs/gis-zhkh.md).

`python -m kabinet.gis.tests.samples` writes the two samples of docs/samples/ from these, for
the demo accounts and meters; the tests build variants of them (a bad ЕЛС, a sheet renamed).
"""

from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[3] / "docs" / "samples"
ACCOUNTS_SAMPLE = SAMPLES / "gis-accounts.xlsx"
METERS_SAMPLE = SAMPLES / "gis-meters.xlsx"

ELS_HEADER = [
    "Номер ЛС",
    "Номер ЕЛС в ГИС ЖКХ",
    "Идентификатор ЖКУ",
    "Уникальный номер дома / Уникальный номер помещения / Уникальный номер комнаты сформированный ГИС ЖКХ",
    "Адрес ОЖФ",
]
# The demo accounts (kabinet/demo/loader.py) with identifiers of ГИС's form.
DEMO_ACCOUNTS = [
    ("1000123456", "69ТВ123456", "69ТВ123456-01", "г. Тверь, ул. Советская, д. 12, кв. 5"),
    ("1000123457", "69ТВ123457", "69ТВ123457-01", "г. Тверь, ул. Советская, д. 12, кв. 17"),
    ("1000123461", "69ТВ123461", "69ТВ123461-01", "г. Тверь, ул. Советская, д. 12, кв. 9"),
    ("1000123462", "69ТВ123462", "69ТВ123462-01", "г. Тверь, пр-т Победы, д. 3, кв. 12"),
]
METERS_HEADER = {
    "A": "Заводской (серийный) номер ПУ",
    "B": "Вид ПУ",
    "C": "Марка ПУ",
    "D": "Модель ПУ",
    "E": "Адрес дома",
    "F": "Уникальный номер дома. Обязательно для заполнения, если Тип ПУ = Коллективный (общедомовой) "
    "или Индивидуальный ПУ в ЖД",
    "G": "Уникальный номер помещения. Обязательно для заполнения, если Тип ПУ = Индивидуальный / Общий "
    "(квартирный)",
    "H": "Уникальный номер комнаты. Обязательно для заполнения, если Тип ПУ = Комнатный",
    "I": "Номер лицевого счета/Единый лицевой счет/Идентификатор ЖКУ. Обязательно для всех типов ПУ, "
    "кроме типа Коллективный (Общедомовой)",
    "O": "Вид коммунального ресурса",
    "P": "Вид ПУ по количеству тарифов",
    "AD": "Номер прибора учета в ГИС ЖКХ",
    "AE": "Статус обработки",
}
# The demo meters (kabinet/meters/demo.py): serial, account (by number or ИЖКУ), resource, ГИС number.
DEMO_METERS = [
    ("ХВ-2231847", "1000123461", "Холодная вода", "69ПУ00000101"),
    ("ГВ-2231902", "1000123461", "Горячая вода", "69ПУ00000102"),
    ("Э-0147733", "69ТВ123461-01", "Электрическая энергия", "69ПУ00000103"),
    ("ХВ-5520114", "1000123462", "Холодная вода", "69ПУ00000201"),
]


def accounts_workbook(rows=DEMO_ACCOUNTS, *, sheet_name: str = "Шаблон экспорта ЕЛС", header=ELS_HEADER):
    from openpyxl import Workbook

    workbook = Workbook()
    ws = workbook.active
    ws.title = sheet_name
    ws.append(header)
    for number, unified, service, address in rows:
        ws.append([number, unified, service, "", address])
    return workbook


def main_details_workbook(rows):
    """The accounts template after ГИС processed it: «Основные сведения», data from row 3."""
    from openpyxl import Workbook

    workbook = Workbook()
    ws = workbook.active
    ws.title = "Основные сведения"
    ws["A1"] = "Основные сведения о лицевых счетах"
    for letter, title in (
        ("A", "№ записи"),
        ("B", "Номер ЛС (иной идентификатор потребителя)"),
        ("C", "Идентификатор ЖКУ"),
        ("V", "Единый лицевой счет"),
        ("W", "Статус обработки"),
    ):
        ws[f"{letter}2"] = title
    for index, (number, unified, service, status) in enumerate(rows, start=1):
        row = index + 2
        ws[f"A{row}"], ws[f"B{row}"], ws[f"C{row}"] = index, number, service
        ws[f"V{row}"], ws[f"W{row}"] = unified, status
    return workbook


def meters_workbook(rows=DEMO_METERS, *, header=METERS_HEADER):
    from openpyxl import Workbook

    workbook = Workbook()
    ws = workbook.active
    ws.title = "Сведения о ПУ"
    for letter, title in header.items():
        ws[f"{letter}1"] = title
    for row, (serial, account, resource, gis_number) in enumerate(rows, start=2):
        ws[f"A{row}"], ws[f"B{row}"], ws[f"I{row}"] = serial, "Индивидуальный", account
        ws[f"O{row}"], ws[f"P{row}"] = resource, "Однотарифный"
        ws[f"AD{row}"], ws[f"AE{row}"] = gis_number, "OK" if gis_number else "Ошибка: прибор не найден"
    return workbook


if __name__ == "__main__":
    accounts_workbook().save(ACCOUNTS_SAMPLE)
    meters_workbook().save(METERS_SAMPLE)
    print(f"{ACCOUNTS_SAMPLE}\n{METERS_SAMPLE}")
