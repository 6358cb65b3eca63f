"""The kind `bank-statement`: a statement of the company's account in 1С's exchange format.

`1CClientBankExchange`, `key=value` lines, cp1251 (`Кодировка=Windows`) or cp866 (`DOS`), the
documents between `СекцияДокумент=…` and `КонецДокумента`, the file ending in `КонецФайла`.
Each incoming payment order (`Платежное поручение` whose recipient's account is the statement's)
is one of two things:

- a bank agent's lump sum — from an agent's ИНН or account (`BankAgent`), or saying in its purpose
  that it pays a registry: kept as an `AgentTransfer`, matched to its registry, never a payment
  (its payments came, or will come, in the registry);
- a payment of a resident: its account and month are found in the purpose (patterns.py) and it is
  recorded as the registries' payments are (record.py): once, by its document's id.
"""

import datetime
import time
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from kabinet.core import formats
from kabinet.core.models import Company

from ...models import AgentTransfer, BankAgent, PaymentRegistry
from ..fields import MONEY_LIMIT, FieldError, parse_date, parse_decimal, parse_text
from ..read import PROGRESS_EVERY, ImportFileError, Progress, shown_name
from ..staging import stage_writer, staging_table
from . import patterns
from .record import STAGE, STATEMENT, drop_lines, record_payments, repeated_operations
from .report import BankReport, Stopped

FIRST_LINE = "1CClientBankExchange"
PAYMENT_ORDER = "платежное поручение"
# Words by which an agent's transfer says it pays a registry, beside those of `BankAgent`.
AGENT_WORDS = ("по реестру", "согласно реестру", "реестр платежей", "по реестрам")
# The purpose written in lines of their own, as the format allows besides the one key.
PURPOSE_LINES = tuple(f"НазначениеПлатежа{n}" for n in range(1, 7))


def import_file(
    *, path: Path, skip_bad: bool = False, progress: Progress | None = None, file_name: str = ""
) -> BankReport:
    """Import a statement. `file_name` is the name the statement is known by
    (`read.shown_name`): in the messages, the unmatched payments and the agents' transfers."""
    lines = _decoded_lines(path, file_name)
    name = shown_name(path, file_name)
    header, documents = _sections(lines, name, progress)
    accounts = set(header.get("РасчСчет", [])) | _company_accounts()
    report = BankReport(skip_bad=skip_bad, title=f"выписка {name}: ")
    try:
        with transaction.atomic(), staging_table(STAGE):
            _load(documents, accounts, name, report)
    except Stopped:
        pass  # bad documents and no --skip-bad: the report lists them, nothing changed
    return report


def _load(documents: list, accounts: set[str], file_name: str, report: BankReport) -> None:
    agents = list(BankAgent.objects.all())
    words = [
        *AGENT_WORDS,
        *(w.strip().lower() for a in agents for w in a.purpose_words.split(",") if w.strip()),
    ]
    found = patterns.compiled_patterns()
    started = time.perf_counter()
    # Kept after the staging: on PostgreSQL the connection takes no other query while its COPY
    # is open (it would wait for itself).
    transfers = []
    with stage_writer(STAGE) as writer:
        for line, kind, values in documents:
            if kind.lower().replace("ё", "е") != PAYMENT_ORDER or not _incoming(values, accounts):
                continue
            parsed, reasons = _document(values)
            agent = _agent(values, agents, words)
            if agent is not False and not reasons:
                transfers.append((line, values, parsed, agent))
                continue
            report.rows_read += 1
            if reasons:
                report.add_error(line, "; ".join(reasons))
                continue
            paid_on, amount, number = parsed
            report.total += amount
            purpose = _clean(_purpose(values), 2000)
            match = patterns.find(purpose, found)
            account = "".join(match.account.split()).upper()
            reason = None if account else "в назначении платежа не найден лицевой счёт"
            payer = _clean(values.get("Плательщик1") or values.get("Плательщик", ""), 300)
            note = f"выписка: п/п № {number} от {paid_on:%d.%m.%Y}"[:200]
            external_id = _external_id(values, paid_on, number)
            staged = (external_id, account[:60], paid_on, match.period, paid_on.replace(day=1), amount,
                      payer, "", purpose, note, reason, 0)  # fmt: skip
            writer.add(line, staged)
    for line, values, parsed, agent in transfers:
        _keep_transfer(line, values, parsed, agent, file_name, report)
    report.timings["чтение выписки"] = time.perf_counter() - started
    repeated_operations(report)
    if report.error_count and not report.skip_bad:
        report.applied = False
        raise Stopped(report)  # leaving the transaction so rolls it back
    if report.error_count:
        drop_lines([line for line, _ in report.errors])
    record_payments(report, kind=STATEMENT, file_name=file_name)


def _decoded_lines(path: Path, file_name: str) -> list[str]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(
            f"Файл «{file_name or path}» не удаётся прочитать: {exc.strerror or exc}."
        ) from None
    name = shown_name(path, file_name)
    if not data.lstrip(b"\xef\xbb\xbf").startswith(FIRST_LINE.encode()):
        raise ImportFileError(
            f"Файл «{name}» не в формате обмена 1С с банком: первая строка должна быть «{FIRST_LINE}». "
            "Выгрузите выписку из клиент-банка в формате 1С."
        )
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            raise ImportFileError(
                f"Файл «{name}» в кодировке UTF-8, а формат обмена 1С — в Windows-1251 "
                "(Кодировка=Windows) или DOS. Ничего не изменено: выгрузите выписку заново."
            )
    encoding = "cp866" if "Кодировка=DOS" in data[:2000].decode("cp866", errors="replace") else "cp1251"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        raise ImportFileError(
            f"Файл «{name}» не читается в кодировке {encoding}. Ничего не изменено."
        ) from None
    return text.splitlines()


def _sections(lines: list[str], name: str, progress: Progress | None):
    """The header's values (a key may repeat: several РасчСчет) and the documents, each with
    the line it starts on, its kind and its values."""
    header: dict[str, list[str]] = {}
    documents: list[tuple[int, str, dict[str, str]]] = []
    current: tuple[int, str, dict[str, str]] | None = None
    in_account = ended = False
    for number, raw in enumerate(lines, start=1):
        if progress is not None and number % PROGRESS_EVERY == 0:
            progress(number, number / len(lines))
        text = raw.strip()
        if not text or number == 1:
            continue
        if text == "КонецФайла":
            ended = True
            break
        key, _, value = text.partition("=")
        if current is not None:
            if text == "КонецДокумента":
                documents.append(current)
                current = None
            else:
                current[2][key.strip()] = value.strip()
        elif key == "СекцияДокумент":
            current = (number, value.strip(), {})
        elif text == "СекцияРасчСчет":
            in_account = True
        elif text == "КонецРасчСчет":
            in_account = False
        elif not in_account:
            header.setdefault(key.strip(), []).append(value.strip())
        elif key.strip() == "РасчСчет":
            header.setdefault("РасчСчет", []).append(value.strip())
    if current is not None or not ended:
        raise ImportFileError(
            f"Файл «{name}» оборван: нет строки «КонецФайла»"
            + (f" (документ со строки {current[0]} не закончен)" if current else "")
            + ". Ничего не изменено — выгрузите выписку заново."
        )
    return header, documents


def _company_accounts() -> set[str]:
    company = Company.objects.first()
    return {company.settlement_account} if company and company.settlement_account else set()


def _incoming(values: dict[str, str], accounts: set[str]) -> bool:
    recipient = values.get("ПолучательСчет") or values.get("ПолучательРасчСчет", "")
    payer = values.get("ПлательщикСчет") or values.get("ПлательщикРасчСчет", "")
    return recipient in accounts and payer not in accounts


def _document(values: dict[str, str]) -> tuple[tuple[datetime.date, Decimal, str] | None, list[str]]:
    reasons = []
    paid_on = amount = None
    try:
        paid_on = parse_date(values.get("ДатаПоступило") or values.get("Дата", ""), label="дата")
    except FieldError as exc:
        reasons.append(str(exc))
    try:
        amount = parse_decimal(values.get("Сумма", ""), label="сумма", places=2, limit=MONEY_LIMIT)
        if amount == 0:
            reasons.append("сумма равна нулю")
    except FieldError as exc:
        reasons.append(str(exc))
    number = values.get("Номер", "").strip()[:30]
    if not number:
        reasons.append("не указан номер платёжного поручения")
    return (None if reasons else (paid_on, amount, number)), reasons


def _agent(values: dict[str, str], agents: list[BankAgent], words: list[str]) -> BankAgent | bool | None:
    """The agent the money comes from (None: an agent by the purpose's words alone), or False."""
    inn = values.get("ПлательщикИНН", "").strip()
    account = (values.get("ПлательщикСчет") or values.get("ПлательщикРасчСчет", "")).strip()
    for agent in agents:
        if (agent.inn and agent.inn == inn) or (agent.account and agent.account == account):
            return agent
    purpose = _purpose(values).lower().replace("ё", "е")
    return None if any(word in purpose for word in words) else False


def _keep_transfer(
    line: int, values, parsed, agent: BankAgent | None, file_name: str, report: BankReport
) -> None:
    paid_on, amount, number = parsed
    external_id = _external_id(values, paid_on, number)
    registry = (
        PaymentRegistry.objects.filter(order_number=number, transferred=amount).first()
        or PaymentRegistry.objects.filter(order_date=paid_on, transferred=amount).first()
        or PaymentRegistry.objects.filter(order_date=paid_on, total=amount).first()
    )
    AgentTransfer.objects.get_or_create(
        external_id=external_id,
        defaults={
            "statement_file": file_name[:255],
            "agent": agent,
            "number": number,
            "date": paid_on,
            "amount": amount,
            "payer": _clean(values.get("Плательщик1") or values.get("Плательщик", ""), 300),
            "purpose": _clean(_purpose(values), 2000),
            "registry": registry,
        },
    )
    report.transfers += 1
    found = f"реестр «{registry.file_name}»" if registry else "реестр ещё не загружен"
    report.note(
        line,
        f"п/п № {number} на {formats.money(amount)} — перечисление агента по реестру ({found}), "
        "не оплата жителя",
    )


def _purpose(values: dict[str, str]) -> str:
    """The payment's purpose: `НазначениеПлатежа`, or, when a bank leaves that out or empty, the
    lines `НазначениеПлатежа1`…`6` joined in order. Many files carry both with the same text:
    the lines are read only without the whole, so it is never counted twice."""
    whole = values.get("НазначениеПлатежа", "").strip()
    if whole:
        return whole
    return " ".join(part for key in PURPOSE_LINES if (part := values.get(key, "").strip()))


def _external_id(values: dict[str, str], paid_on: datetime.date, number: str) -> str:
    payer = (
        values.get("ПлательщикСчет") or values.get("ПлательщикРасчСчет") or values.get("ПлательщикИНН", "")
    )
    return f"{STATEMENT}{paid_on:%Y%m%d}/{number}/{payer.strip()[:30]}"[:64]


def _clean(text: str, limit: int) -> str:
    try:
        return parse_text(text, label="текст", limit=100_000)[:limit]
    except FieldError:
        return ""
