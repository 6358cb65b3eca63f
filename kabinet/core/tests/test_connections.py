"""Kept PostgreSQL connections: a dropped one is replaced before the page needs it, a healthy one
is used without a `SELECT 1` first (kabinet/core/postgresql/base.py)."""

import io
import os
import select
import sys
import tempfile

import psycopg
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connections

pytestmark = [
    pytest.mark.skipif(
        not os.getenv("DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL's kept connections"
    ),
    pytest.mark.django_db(transaction=True),
]

PAGE = "/news/"  # counts the news in the database on every request, signed out


@pytest.fixture
def kept():
    """The default connection kept between requests and checked before use, as in production
    (DATABASE_CONN_MAX_AGE, DATABASE_CONN_HEALTH_CHECKS)."""
    connection = connections["default"]
    saved = {key: connection.settings_dict[key] for key in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS")}
    connection.close()
    connection.settings_dict.update(CONN_MAX_AGE=600, CONN_HEALTH_CHECKS=True)
    yield connection
    connection.close()
    connection.settings_dict.update(saved)


def get(path: str) -> tuple[str, bytes]:
    """A request through the WSGI handler, with the signals a server's request sends (the test
    client leaves out Django's own connection housekeeping)."""
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "wsgi.input": io.BytesIO(),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "REMOTE_ADDR": "127.0.0.1",
    }
    status = []
    response = WSGIHandler()(environ, lambda line, headers, *rest: status.append(line))
    try:
        body = b"".join(response)
    finally:
        response.close()  # request_finished: the connection is kept, not closed
    return status[0], body


def backend_pid(connection) -> int:
    return connection.connection.info.backend_pid


def statements_sent(connection, path: str) -> str:
    """What this process sent PostgreSQL while `path` was served: the client's lines of libpq's
    protocol trace (`F`; the server's are `B`)."""
    with tempfile.TemporaryFile() as trace:
        connection.connection.pgconn.trace(trace.fileno())
        try:
            status, _ = get(path)
        finally:
            connection.connection.pgconn.untrace()
        trace.seek(0)
        assert status.startswith("200"), status
        lines = trace.read().decode(errors="replace").splitlines()
    return "\n".join(line for line in lines if "\tF\t" in line)


def test_a_healthy_kept_connection_serves_the_next_page_without_a_select_1_first(kept):
    assert get(PAGE)[0].startswith("200")
    pid = backend_pid(kept)
    sent = statements_sent(kept, PAGE)
    assert backend_pid(kept) == pid
    assert "public_newsitem" in sent  # the page's own query went over this connection
    assert "SELECT 1" not in sent  # and no health check before it


def test_a_connection_the_server_dropped_is_replaced_before_the_page_needs_it(kept):
    assert get(PAGE)[0].startswith("200")
    pid = backend_pid(kept)
    with psycopg.connect(**_server(kept), autocommit=True) as other:  # as a restart or an admin would
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    # The server's goodbye reaches the socket: wait for it as the next request would find it.
    poller = select.poll()
    poller.register(kept.connection.fileno(), select.POLLIN)
    assert poller.poll(10_000)
    status, body = get(PAGE)
    assert status.startswith("200"), body
    assert backend_pid(kept) != pid


def _server(connection) -> dict:
    settings = connection.settings_dict
    params = {"dbname": settings["NAME"], "user": settings["USER"], "host": settings["HOST"]}
    return (
        params
        | ({"port": settings["PORT"]} if settings["PORT"] else {})
        | ({"password": settings["PASSWORD"]} if settings["PASSWORD"] else {})
    )
