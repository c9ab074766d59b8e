# Surplus: two commands on a fresh machine.
#   make app    set up .venv and open the browser app on http://127.0.0.1:8765
#   make test   set up .venv with the test extra (and Chromium) and run the test suite
#   make bench  run the benchmarks (speed; not part of make test)
# Every target is idempotent; stamp files in .stamps/ skip work when nothing changed.

VENV   := .venv
PY     := $(VENV)/bin/python
STAMPS := .stamps
PORT   ?= 8765

.PHONY: app test bench install install-test clean

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
	SOLARA_TELEMETRY_MIXPANEL_ENABLE=False $(VENV)/bin/solara run app.py --host 127.0.0.1 --port $(PORT) --production

test: $(STAMPS)/install-test
	@sh scripts/ensure-chromium.sh
	$(PY) -m pytest

bench: $(STAMPS)/install-test
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) $(STAMPS) .pytest_cache .hypothesis
