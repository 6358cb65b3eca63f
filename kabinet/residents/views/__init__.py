"""Residents' pages, one module per role: HTTP only, each view calls a service or a selector.

- registration.py — «Заявка на регистрацию», «Код подтверждения», the applicant's pages
- access.py — signing in and out, «Забыли пароль?», the profile's password, phone and sessions
- cabinet.py — the overview, the profile page and its e-mail and reminders, closing the cabinet
"""
