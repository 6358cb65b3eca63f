"""The monthly payment document (ЕПД, «квитанция») as a PDF, laid out after the standard form of Приказ
Минстроя России от 26.01.2018 №43/пр: payer and recipient with bank details, the sum to pay
with the ГОСТ Р 56042-2014 QR code, the calculation by service, the debt or advance, and the
reference information: the meters' readings (previous, current, consumption, and the volumes
billed in the premises and on common property where the billing data has them), how each volume
was found, why anything was recalculated.

Fonts: DejaVu, which `make` installs from Debian (fonts-dejavu-core), for the Cyrillic text. The
file kept per account and month is `kept.py`'s.
"""

import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO
from itertools import groupby
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from kabinet.core import formats
from kabinet.core.models import Company
from kabinet.meters.selectors import payment_document_readings

from .. import payment_qr
from ..selectors import PaymentDocument

FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu")]
FONT, FONT_BOLD = "DejaVuSans", "DejaVuSans-Bold"


@functools.cache  # once per process; a missing font raises every time, nothing is remembered
def _register_fonts() -> None:
    for name in (FONT, FONT_BOLD):
        path = next((d / f"{name}.ttf" for d in FONT_DIRS if (d / f"{name}.ttf").exists()), None)
        if path is None:
            raise RuntimeError(f"{name}.ttf not found: `make` installs Debian's fonts-dejavu-core")
        pdfmetrics.registerFont(TTFont(name, str(path)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD)


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT, fontSize=8, leading=10)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7, leading=8.5),
        "title": ParagraphStyle("title", parent=base, fontName=FONT_BOLD, fontSize=10, leading=12),
        "head": ParagraphStyle(
            "head", parent=base, fontName=FONT_BOLD, fontSize=8.5, leading=11, spaceBefore=4
        ),
        "subhead": ParagraphStyle(
            "subhead", parent=base, fontName=FONT_BOLD, fontSize=8, leading=10, spaceBefore=2, spaceAfter=2
        ),
        "big": ParagraphStyle("big", parent=base, fontName=FONT_BOLD, fontSize=12, leading=15),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9),
        "num": ParagraphStyle("num", parent=base, fontSize=7.5, leading=9, alignment=2),
    }


def money(value: Decimal | None) -> str:
    """A sum in a column headed «…, ₽»: the number alone."""
    return "" if value is None else formats.number(value)


def period_title(document: PaymentDocument) -> str:
    return formats.month(document.period)


def payee_of(company: Company) -> payment_qr.Payee:
    return payment_qr.Payee(
        name=company.name,
        inn=company.inn,
        kpp=company.kpp,
        bank_name=company.bank_name,
        bic=company.bik,
        account=company.settlement_account,
        correspondent_account=company.correspondent_account,
    )


def qr_payload(document: PaymentDocument, company: Company) -> str:
    account = document.account
    return payment_qr.payload(
        payee=payee_of(company),
        amount=document.amount_due,
        purpose=f"Оплата ЖКУ за {period_title(document)}, л/с {account.number}",
        account_number=account.number,
        period=document.period,
        payer_name=account.holder_name,
        payer_address=account.address,
    )


def area(value: Decimal | None) -> str:
    """«54,3 м²»: the area written as the calculation writes the volume billed by it."""
    return "—" if value is None else f"{formats.quantity(value)} м²"


# Which charge lines bill a meter's resource: found by the service's name, since the codes are the
# billing system's own. A line for common property (общее имущество, ОДН, СОИ) is counted apart.
RESOURCE_WORDS = {
    "cold_water": ("холодн",),
    "hot_water": ("горяч",),
    "electricity": ("электр",),
    "heating": ("отоплен", "теплов"),
    "gas": ("газ",),
}
COMMON_PROPERTY_PHRASES = ("общего имущества", "общедомов")
COMMON_PROPERTY_WORDS = {"одн", "сои"}  # whole words: «холодное» holds «одн» too


def _for_common_property(name: str) -> bool:
    return any(p in name for p in COMMON_PROPERTY_PHRASES) or bool(
        COMMON_PROPERTY_WORDS & set(re.findall(r"[а-яё]+", name))
    )


def resource_volumes(resource: str, lines: list) -> tuple[str, str]:
    """The volumes billed for a resource in the period: in the premises, on common property."""
    words = RESOURCE_WORDS.get(resource, ())
    found: dict[bool, list] = {False: [], True: []}
    for line in lines:
        name = line.service_name.lower()
        if line.accrual.volume is not None and any(word in name for word in words):
            found[_for_common_property(name)].append(line)

    def shown(chosen: list) -> str:
        if not chosen:
            return "—"
        total = sum((line.accrual.volume for line in chosen), Decimal(0))
        return f"{formats.quantity(total)} {_e(chosen[0].unit_shown)}"

    return shown(found[False]), shown(found[True])


@dataclass
class _Parts:
    document: PaymentDocument
    company: Company
    s: dict[str, ParagraphStyle]
    readings: list = field(default_factory=list)

    def p(self, text: str, style: str = "base") -> Paragraph:
        return Paragraph(text, self.s[style])

    def header(self) -> list:
        doc, c = self.document, self.company
        account = doc.account
        payer = [
            self.p("<b>Плательщик</b>"),
            self.p(f"ФИО: {_e(account.holder_name)}"),
            self.p(f"Адрес помещения: {_e(account.address)}"),
            self.p(f"Общая площадь: {area(account.area)}"),
            self.p(f"Лицевой счёт: <b>{_e(account.number)}</b>"),
        ]
        # The identifiers ГИС ЖКХ gave the account, once imported (kabinet/gis): a bank or
        # Госуслуги finds the bill by them.
        if account.unified_number:
            payer.append(self.p(f"ЕЛС в ГИС ЖКХ: <b>{_e(account.unified_number)}</b>"))
        if account.service_id:
            payer.append(self.p(f"Идентификатор ЖКУ: <b>{_e(account.service_id)}</b>"))
        recipient = [
            self.p("<b>Получатель платежа</b>"),
            self.p(_e(c.name)),
            self.p(f"ИНН {_e(c.inn)}  КПП {_e(c.kpp)}"),
            # Labels before values: a bank's name never has to be declined («в Тверское отделение»).
            self.p(f"Расчётный счёт: {_e(c.settlement_account)}"),
            self.p(f"Банк получателя: {_e(c.bank_name)}"),
            self.p(f"БИК {_e(c.bik)}  Корр. счёт: {_e(c.correspondent_account)}"),
            self.p(f"{_e(c.address)} {('тел. ' + _e(c.phone)) if c.phone else ''}"),
        ]
        table = Table([[payer, recipient]], colWidths=[90 * mm, 90 * mm])
        table.setStyle(_box())
        title = self.p(
            "ПЛАТЁЖНЫЙ ДОКУМЕНТ (ЕДИНЫЙ) для внесения платы за содержание и ремонт жилого помещения "
            f"и предоставление коммунальных и иных услуг за <b>{period_title(doc)}</b>",
            "title",
        )
        return [
            title,
            Spacer(1, 3 * mm),
            self.p("Раздел 1. Сведения о плательщике и исполнителе услуг", "head"),
            table,
        ]

    def to_pay(self) -> list:
        doc = self.document
        b = doc.balance
        rows = [
            ["Задолженность (+) / аванс (−) на начало периода", money(b.opening_balance) if b else "—"],
            ["Начислено за период (с перерасчётами и льготами)", money(doc.totals["to_pay"])],
            ["Оплачено в периоде", money(b.paid) if b else "—"],
            ["Задолженность (+) / аванс (−) на конец периода", money(b.closing_balance) if b else "—"],
        ]
        if b:
            rows.append(["Оплатить до", formats.short_date(b.due_date)])
        info = Table([[self.p(a), self.p(v, "num")] for a, v in rows], colWidths=[95 * mm, 28 * mm])
        info.setStyle(_grid())
        total = self.p(f"Итого к оплате: {formats.money(doc.amount_due)}", "big")
        left = [
            self.p("Раздел 2. Информация для внесения платы получателю платежа", "head"),
            info,
            Spacer(1, 3 * mm),
            total,
        ]
        if payee_of(self.company).complete:
            code = payment_qr.qr_code(qr_payload(doc, self.company))
            png = BytesIO()
            code.save(png, kind="png", scale=4, border=4)
            png.seek(0)
            right = [
                Image(png, width=48 * mm, height=48 * mm),
                self.p("Оплата по QR-коду в приложении банка", "small"),
            ]
        else:
            right = [self.p("Реквизиты для QR-кода не заполнены управляющей компанией.", "small")]
        table = Table([[left, right]], colWidths=[128 * mm, 52 * mm])
        table.setStyle(
            TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
        )
        return [Spacer(1, 3 * mm), table]

    def calculation(self) -> list:
        doc = self.document
        head = [
            "Вид услуги",
            "Ед. изм.",
            "Объём",
            "Тариф, ₽",
            "Начислено, ₽",
            "Перерасчёт, ₽",
            "Льгота, ₽",
            "Итого к оплате, ₽",
        ]
        rows = [[self.p(f"<b>{h}</b>", "cell") for h in head]]
        rows += [self._line(line) for line in doc.lines]
        if doc.penalties:
            # Пени (ЖК РФ ст. 155 ч. 14) are no service: a line of their own under the services' total.
            rows.append(self._total("Всего за услуги", doc.service_totals))
            rows += [self._line(line) for line in doc.penalties]
            rows.append(self._total("Всего с пенями", doc.totals))
        else:
            rows.append(self._total("Всего", doc.totals))
        widths = [42, 14, 18, 18, 22, 26, 18, 22]
        table = Table(rows, colWidths=[w * mm for w in widths], repeatRows=1)
        table.setStyle(_grid(header=True))
        return [
            self.p(
                "Раздел 3. Расчёт размера платы за содержание и ремонт жилого помещения "
                "и коммунальные услуги",
                "head",
            ),
            table,
        ]

    def _line(self, line) -> list:
        a = line.accrual
        return [
            self.p(_e(line.service_name), "cell"),
            self.p(_e(line.unit_shown), "cell"),
            self.p(formats.quantity(a.volume) if a.volume is not None else "", "num"),
            self.p(money(a.tariff), "num"),
            self.p(money(a.accrued), "num"),
            self.p(money(a.recalculation) if a.recalculation else "", "num"),
            self.p(money(a.benefit) if a.benefit else "", "num"),
            self.p(money(a.to_pay), "num"),
        ]

    def _total(self, title: str, t: dict) -> list:
        return [
            self.p(f"<b>{title}</b>", "cell"),
            "",
            "",
            "",
            self.p(money(t["accrued"]), "num"),
            self.p(money(t["recalculation"]), "num"),
            self.p(money(t["benefit"]), "num"),
            self.p(f"<b>{money(t['to_pay'])}</b>", "num"),
        ]

    def meter_readings(self) -> list:
        """The readings the period was calculated from, with the volumes of the services they feed."""
        if not self.readings:
            return []
        head = [
            "Прибор учёта",
            "Предыдущее показание",
            "Текущее показание",
            "Расход",
            "Объём услуги: в помещении",
            "Объём услуги: на общее имущество",
        ]
        rows = [[self.p(f"<b>{h}</b>", "cell") for h in head]]
        spans, start = [], 1
        for resource, group in groupby(self.readings, key=lambda line: line.meter.service):
            group = list(group)
            individual, common = resource_volumes(resource, self.document.lines)
            for index, line in enumerate(group):
                meter = line.meter
                rows.append(
                    [
                        self.p(f"{_e(meter.resource_name)} № {_e(meter.serial_number)}", "cell"),
                        self.p(_unbroken(line.previous_shown), "num"),
                        self.p(_unbroken(line.current_shown), "num"),
                        self.p(_e(line.consumption_shown), "num"),
                        self.p(individual if index == 0 else "", "num"),
                        self.p(common if index == 0 else "", "num"),
                    ]
                )
            if len(group) > 1:  # one service's volume stands once beside all its meters
                spans += [("SPAN", (col, start), (col, start + len(group) - 1)) for col in (4, 5)]
            start += len(group)
        table = Table(rows, colWidths=[w * mm for w in (46, 28, 28, 22, 28, 28)], repeatRows=1)
        style = _grid(header=True)
        for command in spans:
            style.add(*command)
        table.setStyle(style)
        return [self.p("Показания индивидуальных приборов учёта", "subhead"), table, Spacer(1, 2 * mm)]

    def reference(self) -> list:
        items = [self.p("Раздел 4. Справочная информация", "head"), *self.meter_readings()]
        for line in self.document.lines + self.document.penalties:
            items.append(
                self.p(
                    f"<b>{_e(line.service_name)}.</b> " + " ".join(_e(x) for x in line.explanation), "small"
                )
            )
        c = self.company
        contacts = ", ".join(x for x in (c.phone, c.email, c.working_hours) if x)
        if contacts:
            items.append(Spacer(1, 2 * mm))
            items.append(self.p(f"Вопросы по начислениям: {_e(contacts)}.", "small"))
        return items


def _unbroken(reading: str) -> str:
    """«Т1: 20360; Т2: 8002» wraps after a zone's value only, never between «Т2:» and its number."""
    return _e(reading).replace(": ", ":\u00a0")


def _e(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _box() -> TableStyle:
    return TableStyle(
        [
            ("BOX", (0, 0), (-1, -1), 0.6, colors.black),
            ("INNERGRID", (0, 0), (-1, -1), 0.6, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )


def _grid(*, header: bool = False) -> TableStyle:
    style = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e7ebf0")))
    return TableStyle(style)


def render_pdf(document: PaymentDocument, company: Company, readings: list | None = None) -> bytes:
    _register_fonts()
    out = BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=f"Платёжный документ за {period_title(document)}, л/с {document.account.number}",
        author=company.name,
    )
    if readings is None:
        readings = payment_document_readings(document.account, document.period)
    parts = _Parts(document, company, _styles(), readings)
    doc.build(parts.header() + parts.to_pay() + [Spacer(1, 4 * mm)] + parts.calculation() + parts.reference())
    return out.getvalue()
