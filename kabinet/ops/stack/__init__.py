"""The production stack on one machine (`make stack`) and its fault drills (`make stack-test`).

Everything runs on loopback from the worktree, as the systemd units and the nginx site of
deploy/ would run it on a server: nginx in front of two gunicorn nodes, two outbox workers,
the billing worker, the reminders' schedule, a PostgreSQL cluster and a Redis of its own under
var/stack/. Nothing here touches another PostgreSQL or Redis on the machine.
"""
