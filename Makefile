# The one entry point for people and CI. `make run` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: run test install install-test chromium fonts kannel stack-packages stack stack-test lint format migrations-check test-sqlite test-postgres clean

$(VENV)/.installed: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements-test.txt $(VENV)/.installed
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

run: install fonts
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py load_demo_data --if-empty
	KABINET_DEMO_STAFF_WITHOUT_2FA=$${KABINET_DEMO_STAFF_WITHOUT_2FA-1} PORT=$(PORT) PY=$(PY) bash scripts/run.sh

# Install the Debian packages $(2) ($(3)) unless the shell test $(1) passes. apt may be busy
# with another installation: wait for its lock rather than fail.
define apt_install
@$(1) || { \
  echo "Installing $(3) from Debian's packages"; \
  SUDO=$$(test "$$(id -u)" = 0 || echo sudo); \
  $$SUDO apt-get -o DPkg::Lock::Timeout=300 update -qq && \
  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq $(2); }
endef

# Browser tests drive Debian's Chromium; never a downloaded browser.
chromium:
	$(call apt_install,command -v chromium >/dev/null 2>&1 || test -x /usr/bin/chromium,chromium fonts-dejavu-core,Chromium)

# Receipts (PDF) are set in DejaVu for Cyrillic: Debian's fonts-dejavu-core.
fonts:
	$(call apt_install,test -f /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf,fonts-dejavu-core,the DejaVu fonts)

# Delivery tests start a real Kannel (bearerbox, smsbox, fakesmsc) from Debian's packages.
kannel:
	$(call apt_install,test -x /usr/sbin/bearerbox -a -x /usr/lib/kannel/test/fakesmsc,kannel kannel-extras,Kannel)

# The production stack on this machine: nginx, PostgreSQL's server programs, Redis, openssl.
stack-packages:
	$(call apt_install,command -v nginx >/dev/null 2>&1 && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && command -v redis-server >/dev/null 2>&1 && command -v openssl >/dev/null 2>&1,nginx postgresql redis-server openssl,nginx PostgreSQL Redis)

# nginx + 2 gunicorn nodes + 2 outbox workers + billing worker + reminders + own PostgreSQL (5442)
# and Redis (6389), DEBUG=0, HTTPS with a self-signed certificate; prints the URL; Ctrl-C stops all.
stack: install-test stack-packages fonts
	$(PY) -m kabinet.ops.stack

# The fault drills against that stack (minutes): one line per drill, then the totals.
stack-test: install-test stack-packages fonts
	$(PY) -m kabinet.ops.stack.drills

# ruff, then the apps' layers (the import-linter contract in pyproject.toml).
lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

format: install-test
	$(VENV)/bin/ruff format .

migrations-check: install
	$(PY) manage.py makemigrations --check --dry-run

test-sqlite: install-test chromium fonts kannel stack-packages
	env -u DATABASE_URL $(VENV)/bin/pytest

test-postgres: install-test chromium fonts kannel stack-packages
	@if $(PY) -c 'import socket; socket.create_connection(("127.0.0.1", 5432), 2)' 2>/dev/null; then \
	  echo "PostgreSQL answers on 127.0.0.1:5432: running the tests there too"; \
	  DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest; \
	else echo "No PostgreSQL on 127.0.0.1:5432: PostgreSQL run skipped"; fi

test: lint migrations-check test-sqlite test-postgres

clean:
	rm -rf $(VENV) var screenshots staticfiles
