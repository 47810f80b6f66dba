# Chatter Org: `make run` serves the demo org, `make test` runs the whole suite.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
TLS_PORT ?= 8443
HOST ?= 127.0.0.1
export DJANGO_SITE_URL ?= http://$(HOST):$(PORT)
export DEMO_PASSWORD ?= Chatter-Demo-2026!
export DEMO_CLIENT_ID ?= 3MVG9DemoIntegrationChatterOrgConsumerKey
export DEMO_CLIENT_SECRET ?= demo-integration-consumer-secret

.PHONY: run test lint venv bench screenshots clean

$(BIN)/python:
	@$(PY) -c 'import sys; v = sys.version_info; sys.exit(0 if v >= (3, 12) else "Chatter Org needs Python 3.12 or newer; $(PY) is %d.%d.%d. Install 3.12 (pyenv reads .python-version) or run: make PY=python3.12 ..." % v[:3])'
	$(PY) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

venv: $(VENV)/.installed

run: venv node_modules/.package-lock.json
	@mkdir -p var
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=1 $(BIN)/python manage.py seed_demo
	DJANGO_DEBUG=1 $(BIN)/python manage.py tls_setup
	@echo ""
	@echo "  Chatter Org is at $(DJANGO_SITE_URL)/"
	@echo "  The API (and the app) over HTTPS: https://$(HOST):$(TLS_PORT)/services/data/"
	@echo "    trust the local CA: REQUESTS_CA_BUNDLE=var/tls/ca.pem NODE_EXTRA_CA_CERTS=var/tls/ca.pem"
	@echo "    connected app \"Demo Integration\": client id $(DEMO_CLIENT_ID)"
	@echo "                                      client secret $(DEMO_CLIENT_SECRET)"
	@echo "  Demo logins (password: $(DEMO_PASSWORD)):"
	@echo "    admin@acme.example   System Administrator"
	@echo "    morgan@acme.example  Standard User + Chatter Customer Inviters"
	@echo "    nora@acme.example    Standard User (group Manager)"
	@echo "    casey@acme.example   Standard User (group Member)"
	@echo ""
	@DJANGO_DEBUG=1 exec $(BIN)/python scripts/run.py \
	  "worker: $(BIN)/python manage.py db_worker --interval 0.5 --no-reload" \
	  "lifecycle: $(BIN)/python manage.py lifecycle_run --every 60" \
	  "web: $(BIN)/python manage.py runserver --noreload $(HOST):$(PORT)" \
	  "api: $(BIN)/python -m uvicorn chatterorg.asgi:application --host $(HOST) --port $(TLS_PORT) --ssl-certfile var/tls/server.pem --ssl-keyfile var/tls/server-key.pem --lifespan off --no-server-header"

# The Lightning Design System the pages use, and axe-core for the accessibility checks of
# tests/e2e (npm records what it installed).
node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: pages will lack the Lightning Design System styles and the accessibility checks will be skipped"; fi

test: venv node_modules/.package-lock.json
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Replays the story in Chromium and refreshes docs/screenshots/.
screenshots: venv node_modules/.package-lock.json
	SCREENSHOTS=1 $(BIN)/python -m pytest -p no:randomly tests/e2e/test_story.py \
	  "tests/e2e/test_invitation_links.py::test_an_expired_link_is_no_longer_valid" \
	  "tests/e2e/test_lightning.py::test_quick_find_filters_the_setup_tree_as_you_type" \
	  "tests/e2e/test_lightning.py::test_no_page_scrolls_sideways_at_390_px" \
	  "tests/e2e/test_lightning.py::test_on_a_phone_the_app_navigation_is_a_menu_that_works_from_the_keyboard" \
	  "tests/e2e/test_accessibility.py::test_lifecycle_pages_have_no_serious_or_critical_accessibility_violations"

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports

bench: venv
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var
