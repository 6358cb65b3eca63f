"""Django's PostgreSQL backend, with kept connections checked by a look at their socket.

With `CONN_HEALTH_CHECKS` Django asks every kept connection `is_usable()` — a `SELECT 1` —
before the first query of each request, so that a restarted PostgreSQL costs a reconnect and
not a server error. That is a round trip on every page (about a tenth of a millisecond of two
processes' CPU, 3 % of a cabinet page, bench/pages.py). A connection the server has dropped — a
restart, a `pg_terminate_backend`, an idle timeout — has something on its socket: the server's
FATAL message and the end of the stream. A healthy idle connection has nothing (PostgreSQL
speaks only when spoken to, but for a LISTEN's notifications and a changed reported setting).
So the socket is looked at first, and `SELECT 1` is sent only when there is something to read.
(The stack drill `postgres_restarted`, kabinet/ops/stack/drills.py, restarts PostgreSQL under
load: pages answer «временно недоступен» while it is down and serve again after.)

Django's own `is_usable` is the one place to do it: it is asked at a request's first query, and
after an error to learn whether the connection survived it.
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        if self.connection is None or self.connection.closed:
            return False
        if not self.in_atomic_block and _nothing_to_read(self.connection):
            return True
        return super().is_usable()


def _nothing_to_read(raw) -> bool:
    """Nothing waiting on an idle connection's socket (a look, no wait)."""
    try:
        poller = select.poll()  # not select(): a descriptor above 1024 is fine
        poller.register(raw.fileno(), select.POLLIN | select.POLLPRI)
        return not poller.poll(0)
    except (OSError, ValueError):  # the socket is gone already: let the query find out
        return False
