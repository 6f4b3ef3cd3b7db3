# Two entry points for a fresh clone; both need only Python 3.11+ and make.
#   make demo  -> creates .venv, installs modbot, runs one moderation pass on the sample data
#   make test  -> creates .venv, installs modbot with its test extras, runs the whole suite

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test test-dates lint bench bench-summary bench-webhooks model clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "modbot needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/modbot demo

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

# The suite again on days where date code tends to break: a bank-holiday Monday (Boxing
# Day's substitute), the last half hour of a year with an ISO week 53, and a leap day.
TEST_DATES := 2026-12-28T09:00:00+00:00 2026-12-31T23:30:00+00:00 2028-02-29T10:00:00+00:00
test-dates: $(VENV)/.installed-test
	@for day in $(TEST_DATES); do \
		echo "== the suite on $$day"; \
		MODBOT_TEST_TODAY=$$day $(BIN)/python -m pytest -q --deselect tests/e2e/test_browser.py || exit 1; \
	done

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Retrain the text model from scratch (needs torch: pip install -e '.[distil]'): distil the
# word-piece vectors, cross-validate and train the phrase model, then train and stack the
# linear model and print the cross-validated figures and thresholds.
$(VENV)/.installed-distil: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test,distil]'
	touch $@ $(VENV)/.installed $(VENV)/.installed-test

model: $(VENV)/.installed-distil
	$(BIN)/python tools/distill_vectors.py
	$(BIN)/python tools/train_cnn.py --oof build/phrases-oof.npz
	$(BIN)/python tools/train_cnn.py
	$(BIN)/python tools/train_model.py --phrases build/phrases-oof.npz --cv

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/bench_pipeline.py

bench-summary: $(VENV)/.installed-test
	$(BIN)/python benchmarks/bench_summary.py

bench-webhooks: $(VENV)/.installed-test
	$(BIN)/python benchmarks/bench_webhooks.py

clean:
	rm -rf $(VENV) modbot-demo
