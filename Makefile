# expnet: `make run` starts the app, `make test` runs every check.
# Both set up what they need on a fresh Debian machine (python3 + pip + apt).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := .make-venv

.DEFAULT_GOAL := help
.PHONY: help venv run browser lint typecheck pytest test bench clean

help:
	@echo "make run    start the app (streamlit run app.py)"
	@echo "make test   lint (ruff, import layers), type-check and run all tests, browser tests included"
	@echo "make lint | typecheck | pytest | bench | venv | browser | clean"

# The virtual environment. If `python3 -m venv` does not work (Debian without
# python3-venv), install python3-venv when root, else fall back to virtualenv.
$(BIN)/python:
	rm -rf $(VENV) $(STAMP)
	$(PYTHON) -m venv $(VENV) || { \
	  echo ">>> '$(PYTHON) -m venv' failed; trying another way"; rm -rf $(VENV); \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv \
	      && $(PYTHON) -m venv $(VENV); \
	  else \
	    PIP_BREAK_SYSTEM_PACKAGES=1 $(PYTHON) -m pip install --user virtualenv \
	      && $(PYTHON) -m virtualenv $(VENV); \
	  fi; }

# Reinstall only when the requirements change (or the venv was recreated).
$(STAMP): $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/python -m pip install --quiet --progress-bar off -r requirements-dev.txt
	touch $@

venv: $(STAMP)

run: $(STAMP)
	@echo "Teacher link (answer keys; keep it to yourself and off the projector):"
	@$(BIN)/python -m expnet.poll teacher-link --url http://localhost:8501 || true
	$(BIN)/streamlit run app.py

# System packages the tests drive: Debian's Chromium for the browser tests (Playwright cannot
# download browsers here), nginx for the replica test, PostgreSQL for the class-poll store.
browser:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	{ command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; } || missing="$$missing nginx"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo ">>> missing:$$missing; run 'sudo apt-get install -y$$missing'" \
	      "(the tests that need them will be skipped)"; \
	  fi; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy expnet

pytest: $(STAMP) browser
	$(BIN)/python -m pytest tests/

test: lint typecheck pytest

# `make bench STUDENTS=300`: the lecture hall's size (phones on the class poll).
STUDENTS ?= 100
bench: $(STAMP)
	@set -e; for f in bench/*.py; do \
	  [ -e "$$f" ] || { echo "no bench/*.py"; break; }; \
	  case "$$f" in bench/lecture_hall.py) extra="--students $(STUDENTS)";; *) extra="";; esac; \
	  echo ">>> $$f $$extra"; $(BIN)/python "$$f" $$extra; \
	done

clean:
	rm -rf .pytest_cache .mypy_cache .ruff_cache .hypothesis tests/artifacts $(STAMP)
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
