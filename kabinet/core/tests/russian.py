"""What an operator reading the back-office would call broken Russian, as checks on a page.

`problems(html, nouns=…, usernames=…)` lists what is wrong on a page, one line per problem:

- English words in the visible text (abbreviations such as SMS or PDF, e-mail addresses,
  addresses of pages, file names, identifiers with digits and login names are data, not words);
- raw choice codes in the list filters («accounts», «dev», «in_progress»);
- a model's name in the nominative after a verb: «Выберите оплата для просмотра», «Добавить
  страница», «Изменить житель»;
- a number followed by a form of a noun that does not go with it: «7 услуги», «2 жители»,
  «0 загрузки файлов»;
- «Добавить ещё один …» (Django's gendered phrase, also inside attributes);
- ISO dates («2026-12-04»), «UTC», money with a decimal point («1500.50»).
"""

import re
from collections.abc import Iterable
from html.parser import HTMLParser

from kabinet.core.formats import Noun

SKIPPED_TAGS = {"script", "style", "textarea", "template", "pre", "code"}
VOID_TAGS = {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "source", "wbr"}
ALLOWED_LATIN = {"e-mail", "sms.ru", "kannel", "юkassa", "excel", "ctrl"}
VERBS = ("Выберите", "Выбрать", "Добавить", "Изменить", "Просмотреть", "Удалить")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
POINT_MONEY = re.compile(r"(?<![\d.])\d+\.\d{2}(?![\d.])")
RAW_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
NUMBER = r"(?<![\d,.])(\d{1,3}(?:[\u00a0 ]\d{3})*|\d+)[\u00a0 ]+"


class _Text(HTMLParser):
    """Visible text nodes, each with the ids and classes of the elements around it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str]] = []
        self.nodes: list[tuple[str, tuple[str, ...]]] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID_TAGS:
            return
        attrs = dict(attrs)
        self.stack.append((tag, f"{attrs.get('id') or ''} {attrs.get('class') or ''}"))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        if any(tag in SKIPPED_TAGS for tag, _ in self.stack):
            return
        text = " ".join(data.split())
        if text:
            self.nodes.append((text, tuple(marks for _, marks in self.stack)))


def text_nodes(html: str) -> list[tuple[str, tuple[str, ...]]]:
    parser = _Text()
    parser.feed(html)
    return parser.nodes


def _is_data(chunk: str) -> bool:
    """An e-mail, an address, a file, an identifier, a page's address: data, not a word."""
    return bool(
        "@" in chunk
        or "*" in chunk  # a masked secret
        or "/" in chunk
        or "." in chunk.strip(".,;:!?")
        or re.search(r"\d", chunk)
        or re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)+", chunk)
    )


def english_words(text: str, usernames: Iterable[str] = ()) -> list[str]:
    if "Mozilla/" in text:  # a browser's own name for itself, kept as evidence
        return []
    allowed = ALLOWED_LATIN | {u.lower() for u in usernames}
    found = []
    for chunk in text.split():
        chunk = chunk.strip("«»()“”\"',;:!?.…")
        if not chunk or chunk.lower() in allowed or _is_data(chunk):
            continue
        for word in re.findall(r"[A-Za-z]+", chunk):
            abbreviation = word.isupper() and len(word) <= 6  # SMS, PDF, CSV, XLSX, IP; codes
            if len(word) > 1 and not abbreviation:
                found.append(chunk)
                break
    return found


def _noun_problems(text: str, nouns: Iterable[tuple[Noun, str]]) -> list[str]:
    found = []
    for noun, nominative_plural in nouns:
        if noun.accusative != noun.one:
            for verb in VERBS:
                if re.search(rf"\b{verb} {re.escape(noun.one)}\b", text, re.IGNORECASE):
                    found.append(f"«{verb} {noun.one}»: нужно «{verb} {noun.accusative}»")
        forms = {noun.one, noun.few, noun.many, nominative_plural}
        if len(forms) == 1:
            continue  # «сальдо» does not change
        for form in forms:
            for match in re.finditer(NUMBER + re.escape(form) + r"(?![\w-])", text):
                number = int(re.sub(r"\D", "", match.group(1)))
                if form != noun.form(number):
                    found.append(f"«{match.group(0)}»: нужно «{noun.counted(number)}»")
    return found


def problems(
    html: str, *, nouns: Iterable[tuple[Noun, str]] = (), usernames: Iterable[str] = ()
) -> list[str]:
    found = []
    if re.search(r"Добавить ещ[её] (один|одну|одно)", html):
        found.append("«Добавить ещё один …»")
    nouns = list(nouns)
    for text, around in text_nodes(html):
        found += [f"английское слово «{w}» в «{text}»" for w in english_words(text, usernames)]
        in_filters = any("changelist-filter" in marks for marks in around)
        if in_filters and RAW_CODE.match(text) and text not in {u.lower() for u in usernames}:
            found.append(f"код вместо названия в фильтре: «{text}»")
        if re.search(r"\bВыберите \S+ для (изменения|просмотра)", text):
            found.append(f"«{text}»")
        for verb in VERBS:
            if re.search(rf"\b{verb} \w+(ая|яя)\b", text):
                found.append(f"именительный падеж после «{verb}»: «{text}»")
        found += _noun_problems(text, nouns)
        if ISO_DATE.search(text):
            found.append(f"дата в формате ISO: «{text}»")
        if re.search(r"\bUTC\b|\+00:00", text):
            found.append(f"время в UTC: «{text}»")
        if "Mozilla/" not in text and POINT_MONEY.search(text):
            found.append(f"десятичная точка: «{text}»")
    return found
