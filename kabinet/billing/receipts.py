"""The monthly payment document (ЕПД) as a PDF, laid out after the standard form of Приказ
Минстроя России от 26.01.2018 №43/пр: payer and recipient with bank details, the sum to pay
with the ГОСТ Р 56042-2014 QR code, the calculation by service, the debt or advance, and the
reference information (how each volume was found, why anything was recalculated).

Fonts: DejaVu, which `make` installs from Debian (fonts-dejavu-core), for the Cyrillic text.
"""

from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from kabinet.core.charts import MONTHS_FULL, format_number
from kabinet.core.models import Company

from . import payment_qr
from .selectors import Statement, format_volume

FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu")]
FONT, FONT_BOLD = "DejaVuSans", "DejaVuSans-Bold"
_registered = False


def _register_fonts() -> None:
    global _registered
    if _registered:
        return
    for name in (FONT, FONT_BOLD):
        path = next((d / f"{name}.ttf" for d in FONT_DIRS if (d / f"{name}.ttf").exists()), None)
        if path is None:
            raise RuntimeError(f"{name}.ttf not found: `make` installs Debian's fonts-dejavu-core")
        pdfmetrics.registerFont(TTFont(name, str(path)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD)
    _registered = True


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT, fontSize=8, leading=10)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7, leading=8.5),
        "title": ParagraphStyle("title", parent=base, fontName=FONT_BOLD, fontSize=10, leading=12),
        "head": ParagraphStyle(
            "head", parent=base, fontName=FONT_BOLD, fontSize=8.5, leading=11, spaceBefore=4
        ),
        "big": ParagraphStyle("big", parent=base, fontName=FONT_BOLD, fontSize=12, leading=15),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9),
        "num": ParagraphStyle("num", parent=base, fontSize=7.5, leading=9, alignment=2),
    }


def money(value: Decimal | None) -> str:
    return "" if value is None else format_number(value)


def period_title(statement: Statement) -> str:
    return f"{MONTHS_FULL[statement.period.month - 1]} {statement.period.year}"


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


def qr_payload(statement: Statement, company: Company) -> str:
    account = statement.account
    return payment_qr.payload(
        payee=payee_of(company),
        amount=statement.amount_due,
        purpose=f"Оплата ЖКУ за {period_title(statement)}, л/с {account.number}",
        account_number=account.number,
        period=statement.period,
        payer_name=account.holder_name,
        payer_address=account.address,
    )


@dataclass
class _Parts:
    statement: Statement
    company: Company
    s: dict[str, ParagraphStyle]

    def p(self, text: str, style: str = "base") -> Paragraph:
        return Paragraph(text, self.s[style])

    def header(self) -> list:
        st, c = self.statement, self.company
        account = st.account
        payer = [
            self.p("<b>Плательщик</b>"),
            self.p(f"ФИО: {_e(account.holder_name)}"),
            self.p(f"Адрес помещения: {_e(account.address)}"),
            self.p(f"Площадь: {money(account.area)} м²" if account.area else "Площадь: —"),
            self.p(f"Лицевой счёт: <b>{_e(account.number)}</b>"),
        ]
        recipient = [
            self.p("<b>Получатель платежа</b>"),
            self.p(_e(c.name)),
            self.p(f"ИНН {_e(c.inn)}  КПП {_e(c.kpp)}"),
            self.p(f"Р/с {_e(c.settlement_account)} в {_e(c.bank_name)}"),
            self.p(f"БИК {_e(c.bik)}  К/с {_e(c.correspondent_account)}"),
            self.p(f"{_e(c.address)} {('тел. ' + _e(c.phone)) if c.phone else ''}"),
        ]
        table = Table([[payer, recipient]], colWidths=[90 * mm, 90 * mm])
        table.setStyle(_box())
        title = self.p(
            "ПЛАТЁЖНЫЙ ДОКУМЕНТ (ЕДИНЫЙ) для внесения платы за содержание и ремонт жилого помещения "
            f"и предоставление коммунальных и иных услуг за <b>{period_title(st)}</b>",
            "title",
        )
        return [
            title,
            Spacer(1, 3 * mm),
            self.p("Раздел 1. Сведения о плательщике и исполнителе услуг", "head"),
            table,
        ]

    def to_pay(self) -> list:
        st = self.statement
        b = st.balance
        rows = [
            ["Задолженность (+) / аванс (−) на начало периода", money(b.opening_balance) if b else "—"],
            ["Начислено за период (с перерасчётами и льготами)", money(st.totals["to_pay"])],
            ["Оплачено в периоде", money(b.paid) if b else "—"],
            ["Задолженность (+) / аванс (−) на конец периода", money(b.closing_balance) if b else "—"],
        ]
        if b:
            rows.append(["Оплатить до", f"{b.due_date:%d.%m.%Y}"])
        info = Table([[self.p(a), self.p(v, "num")] for a, v in rows], colWidths=[95 * mm, 28 * mm])
        info.setStyle(_grid())
        total = self.p(f"Итого к оплате: {money(st.amount_due)} ₽", "big")
        left = [
            self.p("Раздел 2. Информация для внесения платы получателю платежа", "head"),
            info,
            Spacer(1, 3 * mm),
            total,
        ]
        if payee_of(self.company).complete:
            code = payment_qr.qr_code(qr_payload(st, self.company))
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
        st = self.statement
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
        for line in st.lines:
            a = line.accrual
            rows.append(
                [
                    self.p(_e(line.service_name), "cell"),
                    self.p(_e(line.unit_shown), "cell"),
                    self.p(format_volume(a.volume) if a.volume is not None else "", "num"),
                    self.p(money(a.tariff), "num"),
                    self.p(money(a.accrued), "num"),
                    self.p(money(a.recalculation) if a.recalculation else "", "num"),
                    self.p(money(a.benefit) if a.benefit else "", "num"),
                    self.p(money(a.to_pay), "num"),
                ]
            )
        t = st.totals
        rows.append(
            [
                self.p("<b>Всего</b>", "cell"),
                "",
                "",
                "",
                self.p(money(t["accrued"]), "num"),
                self.p(money(t["recalculation"]), "num"),
                self.p(money(t["benefit"]), "num"),
                self.p(f"<b>{money(t['to_pay'])}</b>", "num"),
            ]
        )
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

    def reference(self) -> list:
        items = [self.p("Раздел 4. Справочная информация", "head")]
        for line in self.statement.lines:
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


def render_pdf(statement: Statement, company: Company) -> bytes:
    _register_fonts()
    out = BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=f"Платёжный документ за {period_title(statement)}, л/с {statement.account.number}",
        author=company.name,
    )
    parts = _Parts(statement, company, _styles())
    doc.build(parts.header() + parts.to_pay() + [Spacer(1, 4 * mm)] + parts.calculation() + parts.reference())
    return out.getvalue()
