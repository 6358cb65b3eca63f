"""Residents' forms, one module per role; the fields they share are defined once in fields.py.

- registration.py — «Заявка на регистрацию» (with the CAPTCHA) and «Код подтверждения»
- access.py — signing in, «Забыли пароль?», the profile's password and phone
- cabinet.py — the profile's e-mail and reminders, closing the cabinet
"""
