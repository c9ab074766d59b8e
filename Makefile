# Surplus: two commands on a fresh machine.
#   make app    set up .venv and open the browser app on http://127.0.0.1:8765
#   make test   set up .venv with the test extra (and Chromium) and run the test suite
#   make bench  run the benchmarks (speed; not part of make test)
#   make classroom  the app on the classroom network (0.0.0.0, every machine on it can connect) for the game
#   make fuzz   a long fuzzing campaign over mutated scenarios (not part of make test): counts per outcome
# Every target is idempotent; stamp files in .stamps/ skip work when nothing changed.

VENV   := .venv
PY     := $(VENV)/bin/python
STAMPS := .stamps
PORT   ?= 8765

.PHONY: app classroom test bench fuzz install install-test clean

$(PY):
	@py=$$(sh scripts/find-python.sh) || exit 1; \
	echo "creating $(VENV) with $$py"; \
	"$$py" -m venv $(VENV)

$(STAMPS)/install: pyproject.toml | $(PY)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/install-test: pyproject.toml $(STAMPS)/install
	$(PY) -m pip install -q -e ".[test]"
	@mkdir -p $(STAMPS) && touch $@

install: $(STAMPS)/install
install-test: $(STAMPS)/install-test

app: $(STAMPS)/install
	SOLARA_TELEMETRY_MIXPANEL_ENABLE=False $(VENV)/bin/solara run app.py --host 127.0.0.1 --port $(PORT) --production --no-check-version

# the classroom game (/game) for teams on other machines: listens on every interface, and the page says so
classroom: $(STAMPS)/install
	SURPLUS_CLASSROOM="0.0.0.0:$(PORT)" SOLARA_TELEMETRY_MIXPANEL_ENABLE=False $(VENV)/bin/solara run app.py --host 0.0.0.0 --port $(PORT) --production --no-check-version

test: $(STAMPS)/install-test
	@sh scripts/ensure-chromium.sh
	$(PY) -m pytest

bench: $(STAMPS)/install-test
	$(PY) benchmarks/run_all.py

# FUZZ_MUTANTS mutants from index FUZZ_START, FUZZ_JOBS processes, FUZZ_LIMIT seconds per mutant;
# replay one with `$(PY) -m experiments.fuzz --replay N`
FUZZ_MUTANTS ?= 5000
FUZZ_START   ?= 0
FUZZ_JOBS    ?= 2
FUZZ_LIMIT   ?= 60
fuzz: $(STAMPS)/install
	$(PY) -m experiments.fuzz --mutants $(FUZZ_MUTANTS) --start $(FUZZ_START) --jobs $(FUZZ_JOBS) \
		--time-limit $(FUZZ_LIMIT) --out results/fuzz-outcomes.jsonl

clean:
	rm -rf $(VENV) $(STAMPS) .pytest_cache .hypothesis
