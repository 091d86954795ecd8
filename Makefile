# Two commands: `make run` starts the whole product on SQLite; `make test` checks everything.
VENV    := .venv
BIN     := $(VENV)/bin
FLASK   := $(BIN)/flask --app petition
PYBABEL := $(BIN)/pybabel
PORT    ?= 5000
STAMP   := $(VENV)/.installed
INSTANCE := $(or $(INSTANCE_PATH),instance)
CATALOGUES := petition/translations
MO_FILES   := $(patsubst %.po,%.mo,$(wildcard $(CATALOGUES)/*/LC_MESSAGES/messages.po))

.PHONY: install run staff test lint bench translations-extract translations-update clean

install: $(STAMP) $(MO_FILES) node_modules/.package-lock.json

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

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
