"""The payment document (ЕПД, «квитанция»): laid out as a PDF (`pdf.py`) and kept per account
and month until what it shows changes (`kept.py`). The month's figures come from
`billing.selectors.payment_document`."""

from .kept import kept_pdf
from .pdf import render_pdf

__all__ = ["kept_pdf", "render_pdf"]
