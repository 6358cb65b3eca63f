"""Residents' actions, one module per role: each function is one use case and one transaction.

- registration.py — «Заявка на регистрацию» to the confirmed code, the operators' decisions
- access.py — password reset, password and phone change, ending sessions
- cabinet.py — the profile's e-mail and reminders, closing the cabinet
- codes.py — issuing and checking one-time codes, for all of the above
"""
