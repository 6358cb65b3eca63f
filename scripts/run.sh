#!/usr/bin/env bash
# Starts the web server, the outbox worker, the billing import worker, the reminders' schedule
# and the devices' one, each its own process with its own job; Ctrl-C stops them all.
set -u
PY=${PY:-.venv/bin/python}
PORT=${PORT:-8000}
export KABINET_CAPTCHA_TEST_MODE=${KABINET_CAPTCHA_TEST_MODE:-0}
# SMS and e-mail name the pages of this very server unless told otherwise.
export SITE_URL=${SITE_URL:-http://127.0.0.1:$PORT}

"$PY" manage.py run_worker &
worker=$!
"$PY" manage.py run_billing_worker &
imports=$!
"$PY" manage.py send_reading_reminders --schedule &
reminders=$!
"$PY" manage.py submit_device_readings --schedule &
devices=$!
"$PY" manage.py runserver "127.0.0.1:$PORT" &
web=$!

stop() { kill "$web" "$worker" "$imports" "$reminders" "$devices" 2>/dev/null; wait "$web" "$worker" "$imports" "$reminders" "$devices" 2>/dev/null; exit 0; }
trap stop INT TERM
echo "Kabinet: http://127.0.0.1:$PORT/  (back-office: http://127.0.0.1:$PORT/admin/; Ctrl-C stops)"
# If one process dies, stop the others: half a system is worse than none.
wait -n "$web" "$worker" "$imports" "$reminders" "$devices"
stop
