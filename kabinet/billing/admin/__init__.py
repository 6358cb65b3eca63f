"""Billing's back-office, one module per concern; importing them registers their screens."""

from . import bank, books, imports  # noqa: F401
