"""Signals core sends for the apps above it (core imports no other app; audit listens)."""

from django.dispatch import Signal

# A log-in refused by a lock-out before the password was checked: login (as typed), ip.
login_locked = Signal()
