"""The short version of `make stack-test`: the real stack (own PostgreSQL and Redis, nginx, two
gunicorn nodes, two outbox workers), one web node killed under a readings load and one outbox
worker killed mid-batch. About a minute and a half; the whole set runs by hand (`make stack-test`).

It starts its own PostgreSQL, so it runs once, in the SQLite pass of `make test`.
"""

import glob
import os
import shutil

import pytest

from kabinet.ops.stack import cluster

needs = [("nginx", shutil.which("nginx")), ("redis-server", shutil.which("redis-server"))]
needs.append(("PostgreSQL server programs", glob.glob("/usr/lib/postgresql/*/bin/initdb")))
missing = [name for name, found in needs if not found]


pytestmark = [
    pytest.mark.skipif(bool(missing), reason=f"not installed: {', '.join(missing)} (make stack-packages)"),
    pytest.mark.skipif(
        bool(os.getenv("DATABASE_URL")), reason="runs once, in the SQLite pass: it has its own PostgreSQL"
    ),
]


def test_a_killed_web_node_and_a_killed_worker_lose_nothing(capsys):
    busy = cluster.ports_in_use()
    if busy:
        pytest.skip(f"ports in use (is `make stack` running?): {busy}")
    from kabinet.ops.stack import drills

    directory = cluster.ROOT / "var" / "stack-short"
    shutil.rmtree(directory, ignore_errors=True)  # a fresh cluster each run
    results = drills.run(["web_node_killed", "worker_killed"], directory=directory, small=True, echo=False)
    with capsys.disabled():
        for result in results:
            print("\n" + result.line())
    node, worker = results
    assert node.passed and node.lost == 0, node.line()
    # The killed worker's message at the gateway is «возможно отправлено», settled from the
    # gateway's log as an operator would: never sent twice.
    assert worker.passed and worker.lost == 0 and worker.duplicated == 0, worker.line()
