# The two commands of the README: `make run` and `make test`. Both build the virtual
# environment from pyproject.toml first, so a fresh clone needs only Python 3.11 and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DATA   ?= var/demo

.PHONY: run test venv sysdeps bench clean screenshots messages

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[server,dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/usulkan --data-dir $(DATA) demo --launch

# Debian packages the tests drive (chromium for the console, nsis for the installer script).
sysdeps:
	@scripts/system-packages.sh

test: $(STAMP) sysdeps
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

# Every marked string of app/ into one template (Babel): _, N_, p_/NP_ (msgctxt), n_/np_ (msgid_plural).
# Translators copy new entries from it into their layer's resources/locale/id/<layer>.po.
POT := resources/locale/usulkan.pot
messages: $(STAMP)
	$(BIN)/pybabel extract --no-default-keywords --sort-by-file --project=usulkan \
		-k _ -k N_ -k p_:1c,2 -k NP_:1c,2 -k n_:1,2 -k np_:1c,2,3 -o $(POT) app
	@echo "$(POT): $$(grep -c '^msgid ' $(POT)) messages"

bench: $(STAMP)
	$(BIN)/python -m bench.storage
	$(BIN)/python -m bench.vault
	$(BIN)/python -m bench.verify
	$(BIN)/python -m bench.ingest
	$(BIN)/python -m bench.sync
	$(BIN)/python -m bench.handover
	$(BIN)/python -m bench.audit_sign
	$(BIN)/python -m bench.ui
	$(BIN)/python -m bench.console
	$(BIN)/python -m bench.server_workers
	$(BIN)/python -m bench.backup
	$(BIN)/python -m bench.backup_copy
	$(BIN)/python -m bench.backup_reconcile
	$(BIN)/python -m bench.dtsen
	$(BIN)/python -m bench.field

# Under Xvfb, a real X display (Debian: xvfb and Qt's xcb libraries, see README), when it is
# installed and Qt's xcb plugin loads there; Qt's offscreen platform otherwise.
XCB_LIBS := libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxkbcommon-x11-0
screenshots: $(STAMP)
	if command -v xvfb-run >/dev/null && xvfb-run -a env QT_QPA_PLATFORM=xcb $(BIN)/python -c \
			"from PySide6.QtWidgets import QApplication; QApplication([])" 2>/dev/null; then \
		xvfb-run -a -s "-screen 0 1600x1000x24" env QT_QPA_PLATFORM=xcb $(BIN)/python scripts/screenshots.py; \
	else \
		echo "no Xvfb with Qt's xcb libraries (apt install xvfb $(XCB_LIBS)): rendering offscreen"; \
		QT_QPA_PLATFORM=offscreen $(BIN)/python scripts/screenshots.py; \
	fi
	USULKAN_CONSOLE_SHOTS=1 $(BIN)/python -m pytest -q tests/server/test_console_browser.py

# One-folder bundles for this platform with PyInstaller: dist/usulkan/ and dist/usulkan-server/.
.PHONY: dist
dist: $(STAMP)
	$(BIN)/python installer/build.py

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
