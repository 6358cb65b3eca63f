"""Residents' actions, one module per role: each function is one use case and one transaction.

- registration.py — «Заявка на регистрацию» to the confirmed code, the operators' decisions
- accounts.py — a further лицевой счёт added from the profile (or through the queue), removed
- requests.py — a request checked against the billing data and filed for the operators' queue
- access.py — password reset, password and phone change, ending sessions
- cabinet.py — the profile's e-mail and reminders, closing the cabinet
- codes.py — issuing and checking one-time codes, for all of the above
"""
