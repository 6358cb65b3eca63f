"""How long an SMS is on the air: its encoding and the number of segments it takes.

A text that fits the GSM 03.38 alphabet travels in 7-bit characters: 160 in one SMS, 153 per
part of a longer one. Anything else — Cyrillic above all — goes as UCS-2: 70 characters in one
SMS, 67 per part. Each part is paid for, and a phone may show parts out of order, so Kabinet's
texts are kept within two segments.
"""

import math

GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = "^{}\\[~]|€\f"  # each takes two 7-bit characters (an escape and the sign)
MAX_SEGMENTS = 2


def is_gsm7(text: str) -> bool:
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def segments(text: str) -> int:
    """The number of SMS the text is split into (1 for an empty text)."""
    if is_gsm7(text):
        length = sum(2 if char in GSM7_EXTENSION else 1 for char in text)
        single, part = 160, 153
    else:
        # UCS-2 counts UTF-16 code units: a character outside the BMP (an emoji) takes two.
        length = len(text.encode("utf-16-be")) // 2
        single, part = 70, 67
    return 1 if length <= single else math.ceil(length / part)


def first_that_fits(*texts: str) -> str:
    """The first wording that fits MAX_SEGMENTS, else the last (the shortest, by convention): a
    long site address costs the longer wording, never the address or a third paid SMS."""
    return next((text for text in texts if segments(text) <= MAX_SEGMENTS), texts[-1])
