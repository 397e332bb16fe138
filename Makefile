# The two commands of the README: `make run` and `make test`. Both build the virtual
# environment from pyproject.toml first, so a fresh clone needs only Python 3.11 and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DATA   ?= var/demo

.PHONY: run test venv bench clean screenshots

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[server,dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/usulkan --data-dir $(DATA) demo --launch

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench.storage
	$(BIN)/python -m bench.vault
	$(BIN)/python -m bench.verify
	$(BIN)/python -m bench.ingest
	$(BIN)/python -m bench.sync
	$(BIN)/python -m bench.handover
	$(BIN)/python -m bench.ui

# Under Xvfb (Debian's xvfb) when it is installed, as a real X display; Qt's offscreen platform otherwise.
screenshots: $(STAMP)
	if command -v xvfb-run >/dev/null; then \
		xvfb-run -a -s "-screen 0 1600x1000x24" $(BIN)/python scripts/screenshots.py; \
	else \
		QT_QPA_PLATFORM=offscreen $(BIN)/python scripts/screenshots.py; \
	fi

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
