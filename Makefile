# Two commands: `make run` starts the whole product on SQLite; `make test` checks everything.
VENV    := .venv
BIN     := $(VENV)/bin
FLASK   := $(BIN)/flask --app petition
PYBABEL := $(BIN)/pybabel
PORT    ?= 5000
STAMP   := $(VENV)/.installed
# Exact versions with the hashes of every file, for every platform: the deploy installs LOCK,
# `make install` DEV_LOCK (runtime + dev, the same runtime versions).
LOCK     := requirements.lock
DEV_LOCK := requirements-dev.lock
# Both locks hold the build requirements too (read from stdin, `-`): the wheel is then built
# with `--no-build-isolation` from hash-checked setuptools and Babel, never fetched by range.
UV_COMPILE := $(BIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
              --custom-compile-command 'make lock' pyproject.toml -
BUILD_REQUIRES := $(BIN)/python -c 'import tomllib; \
  print(*tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"], sep="\n")'
INSTANCE := $(or $(INSTANCE_PATH),instance)
CATALOGUES := petition/translations
MO_FILES   := $(patsubst %.po,%.mo,$(wildcard $(CATALOGUES)/*/LC_MESSAGES/messages.po))

.PHONY: install run staff test lint bench translations-extract translations-update clean \
        lock lock-upgrade locks-in lock-check audit

install: $(STAMP) $(MO_FILES) node_modules/.package-lock.json

$(STAMP): pyproject.toml $(DEV_LOCK)
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r $(DEV_LOCK)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation --no-index -e .
	touch $@

# `lock` keeps every pin that still fits pyproject.toml; `lock-upgrade` moves each to the newest
# release it allows. The runtime lock starts from the dev lock's pins, so tests run what deploys.
lock: $(STAMP)
	$(MAKE) --no-print-directory locks-in LOCK_DIR=.

lock-upgrade: $(STAMP)
	$(MAKE) --no-print-directory locks-in LOCK_DIR=. UPGRADE=--upgrade

locks-in:
	$(BUILD_REQUIRES) | $(UV_COMPILE) $(UPGRADE) --extra dev -o $(LOCK_DIR)/$(DEV_LOCK)
	cp $(LOCK_DIR)/$(DEV_LOCK) $(LOCK_DIR)/$(LOCK)
	$(BUILD_REQUIRES) | $(UV_COMPILE) -o $(LOCK_DIR)/$(LOCK)

# Stale means pyproject.toml no longer matches the locks (a dependency added or removed, a range
# a pin no longer fits): the locks are resolved again, preferring their own pins, and compared
# without the hashes, so a newer release or a newly uploaded file on the index is not staleness.
lock-check: $(STAMP)
	@fresh=$$(mktemp -d) && trap 'rm -rf "$$fresh"' EXIT && cp $(LOCK) $(DEV_LOCK) "$$fresh" && \
	{ $(MAKE) --no-print-directory --silent locks-in LOCK_DIR="$$fresh" \
	  || { echo "pyproject.toml's dependencies could not be locked (above)" >&2; exit 1; }; } && \
	for lock in $(LOCK) $(DEV_LOCK); do \
	  grep -v -- --hash= $$lock > "$$fresh/$$lock.committed"; \
	  grep -v -- --hash= "$$fresh/$$lock" > "$$fresh/$$lock.resolved"; \
	  diff -u "$$fresh/$$lock.committed" "$$fresh/$$lock.resolved" \
	    || { echo "$$lock is stale against pyproject.toml: run make lock" >&2; exit 1; }; \
	done && echo "$(LOCK) and $(DEV_LOCK) match pyproject.toml"

# Known vulnerabilities in every locked version. A version the advisory service could not check
# fails the audit too (pip-audit alone would pass it), unless AUDIT_UNCHECKED=allow.
audit: $(STAMP)
	@$(BIN)/pip-audit --disable-pip --progress-spinner off -r $(DEV_LOCK) -o $(VENV)/audit.txt; \
	found=$$?; cat $(VENV)/audit.txt; \
	if grep -q 'could not be audited' $(VENV)/audit.txt; then \
	  echo "audit: the versions above marked 'could not be audited' were NOT checked." >&2; \
	  [ "$(AUDIT_UNCHECKED)" = allow ] || exit 1; \
	fi; exit $$found

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --silent

%.mo: %.po $(STAMP)
	$(PYBABEL) compile --statistics -i $< -o $@

# The site is served by gunicorn with the production settings (one process), so it logs
# like production: no client address, no query string, no link token.
# The address is noted in the instance folder, so that `make staff` (and any command) run in
# another terminal links to where the site runs, whatever PORT it was started with.
run: install
	@mkdir -p $(INSTANCE) && echo "$${BASE_URL:-http://127.0.0.1:$(PORT)}" > $(INSTANCE)/base_url
	$(FLASK) db upgrade
	$(FLASK) demo load
	@echo "Site: http://127.0.0.1:$(PORT)/  (mail: $${MAIL_SERVER:-printed here and saved in instance/mail/})"
	$(FLASK) outbox run & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	SECRET_KEY="$${SECRET_KEY:-$$(cat $(INSTANCE)/secret_key)}" PORT=$(PORT) WEB_CONCURRENCY=1 \
	  $(BIN)/gunicorn -c gunicorn.conf.py petition.wsgi:app

# A staff account: `make staff EMAIL=you@example.org ROLE=admin|moderator|exporter`.
ROLE ?= admin
staff: install
	@test -n "$(EMAIL)" || { echo "usage: make staff EMAIL=you@example.org [ROLE=admin|moderator|exporter]" >&2; exit 2; }
	$(FLASK) db upgrade
	$(FLASK) staff add "$(EMAIL)" --role "$(ROLE)"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

bench: install
	$(BIN)/python -m bench

translations-extract: $(STAMP)
	$(PYBABEL) extract -F babel.cfg -k _l -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 -k lazy_npgettext:1c,2,3 -o $(CATALOGUES)/messages.pot --no-location --sort-output petition

translations-update: translations-extract
	$(PYBABEL) update -i $(CATALOGUES)/messages.pot -d $(CATALOGUES) --no-fuzzy-matching

clean:
	rm -rf $(VENV) node_modules instance
