# Two commands set everything up: `make run` serves the app, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := app

.PHONY: run test install catalogs prism messages db lint format accuracy conversations bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

## Compile the gettext catalogues (locales/*/LC_MESSAGES/messages.po -> .mo).
catalogs: install
	$(BIN)/pybabel compile --use-fuzzy -d locales -D messages --statistics

## Extract new strings from the code and merge them into every catalogue, then compile.
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _ -k N_ --no-location --sort-output -o locales/messages.pot nongbao handlers app.py
	$(BIN)/pybabel update -i locales/messages.pot -d locales -D messages --no-fuzzy-matching --ignore-obsolete
	$(MAKE) catalogs

## Create or migrate the database and load the shipped content into an empty one.
db: catalogs
	$(BIN)/flask init-db

## The web server and the reminder worker together (Procfile, run by honcho).
run: db
	HOST=$(HOST) PORT=$(PORT) PATH="$(abspath $(BIN)):$$PATH" $(BIN)/honcho start -f Procfile

## Fetch the Prism mock server and Twilio's OpenAPI file into .cache/prism/ (needs node and npm; skipped when present).
prism:
	scripts/prism.sh

test: catalogs prism
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Intent accuracy on a labelled file: make accuracy FILE=../shared/spec/intents_dev.tsv
accuracy: install
	$(BIN)/python scripts/intent_accuracy.py $(or $(FILE),tests/data/intents_labelled.tsv)

## Whole conversations checked turn by turn: make conversations FILE=tests/data/conversations_issue.yaml
conversations: install
	$(BIN)/python scripts/conversation_accuracy.py $(or $(FILE),tests/data/conversations_issue.yaml)

## The deployed service (gunicorn) against bare Flask, latency at 100 req/s, memory, matching, 100,000 reminders (needs wrk).
bench: install
	@command -v wrk >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y wrk || { apt-get update && apt-get install -y wrk; }; \
	  else echo "make bench needs wrk: sudo apt-get install wrk (or build it from https://github.com/wg/wrk)" >&2; exit 1; fi; }
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
