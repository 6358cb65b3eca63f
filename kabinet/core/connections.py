"""Kept PostgreSQL connections checked at a request's start without a round trip.

With `CONN_HEALTH_CHECKS` Django asks every kept connection `SELECT 1` before the first query
of each request, so that a restarted PostgreSQL costs a reconnect and not a server error. That
is a round trip on every page (about a tenth of a millisecond of two processes' CPU, 3 % of a
cabinet page, bench/pages.py). A connection the server has dropped — a restart, a
`pg_terminate_backend`, an idle timeout — has something on its socket: the server's FATAL
message and the end of the stream. A healthy idle connection has nothing (PostgreSQL speaks
only when spoken to, but for a LISTEN's notifications and a changed reported setting). So the
socket is looked at first, and Django's check is left to run only when there is something to
read. (The stack drill `postgres_restarted`, kabinet/ops/stack/drills.py, restarts PostgreSQL
under load: pages answer «временно недоступен» while it is down and serve again after.)
"""

import select

from django.db import connections


def spare_needless_health_checks(**kwargs) -> None:
    """`request_started`, after Django's own receiver (which marks every kept connection to be
    checked): a PostgreSQL connection with nothing to read is marked as checked."""
    for connection in connections.all(initialized_only=True):
        if _quiet(connection):
            connection.health_check_done = True


def _quiet(connection) -> bool:
    """Nothing waiting on an idle kept PostgreSQL connection's socket."""
    if connection.vendor != "postgresql" or not connection.settings_dict.get("CONN_HEALTH_CHECKS"):
        return False
    raw = connection.connection
    if raw is None or raw.closed or connection.health_check_done or connection.in_atomic_block:
        return False
    try:
        poller = select.poll()  # not select(): a descriptor above 1024 is fine
        poller.register(raw.fileno(), select.POLLIN | select.POLLPRI)
        return not poller.poll(0)
    except (OSError, ValueError):  # the socket is gone already: let Django find out
        return False
