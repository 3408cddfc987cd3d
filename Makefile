# rnn-edu: `make lab` to study, `make test` to check everything. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STATE := $(CURDIR)/.state
PORT ?= 8888
NB ?= notebooks
LAB_ARGS ?=

# Tool state stays inside the project, and TensorFlow stays quiet on stderr (nbval compares it).
export TF_ENABLE_ONEDNN_OPTS := 0
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONHASHSEED := 0
export JUPYTER_CONFIG_DIR := $(STATE)/jupyter/config
export JUPYTER_DATA_DIR := $(STATE)/jupyter/data
export JUPYTER_RUNTIME_DIR := $(STATE)/jupyter/runtime
export IPYTHONDIR := $(STATE)/ipython
export MPLCONFIGDIR := $(STATE)/matplotlib
export KERAS_HOME := $(STATE)/keras
export PIP_DISABLE_PIP_VERSION_CHECK := 1

NBVAL_FLAGS := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
# Exercise checkers raise unless the reference answer passes (learners get a feedback box instead).
STRICT := RNN_EDU_STRICT=1

.PHONY: lab test setup setup-test quiet-lab chromium unit nbval browser notebooks stamp editions lint lock clean

lab: setup quiet-lab ## install (first time only) and open the course in JupyterLab
	$(BIN)/jupyter lab --ip=127.0.0.1 --port=$(PORT) --notebook-dir=notebooks \
		--ServerApp.open_browser=$${OPEN_BROWSER:-True} \
		--LabApp.news_url=None \
		--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
		$$( [ "$$(id -u)" = 0 ] && echo --allow-root ) $(LAB_ARGS)

test: setup-test chromium quiet-lab ## everything: lint, unit tests, notebooks (nbval), browser tests
	$(BIN)/ruff check .
	$(BIN)/python scripts/stamp_headers.py --check
	$(BIN)/python scripts/make_learner_editions.py --check
	$(STRICT) $(BIN)/pytest $(NBVAL_FLAGS) tests notebooks

$(VENV)/.lab-installed: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[lab,keras]"
	touch $@

$(VENV)/.test-installed: $(VENV)/.lab-installed
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[lab,keras,test]"
	touch $@

# JupyterLab offline: never ask to fetch news or check for updates (a user setting, kept in .state/).
LAB_NOTIFICATIONS := $(JUPYTER_CONFIG_DIR)/lab/user-settings/@jupyterlab/apputils-extension/notification.jupyterlab-settings
quiet-lab: $(LAB_NOTIFICATIONS)
$(LAB_NOTIFICATIONS):
	mkdir -p $(@D)
	echo '{"fetchNews": "false", "checkForUpdates": false}' > $@

setup: $(VENV)/.lab-installed
setup-test: $(VENV)/.test-installed

chromium: ## Debian's Chromium for the browser tests (never a browser download)
	@command -v chromium >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q chromium; \
		else sudo apt-get update -q && sudo apt-get install -y -q chromium; fi; }

unit: setup-test ## unit and widget tests only (no browser, no notebooks)
	$(BIN)/pytest tests -m "not browser"

nbval: setup-test ## check stored notebook outputs, e.g. make nbval NB=notebooks/01_markov_chains.ipynb
	$(STRICT) $(BIN)/pytest $(NBVAL_FLAGS) $(NB)

browser: setup-test chromium quiet-lab
	$(BIN)/pytest tests -m browser

notebooks: setup-test ## re-execute notebooks in place: make notebooks [NB=notebooks/01_markov_chains.ipynb]
	$(BIN)/python scripts/stamp_headers.py
	$(STRICT) $(BIN)/python scripts/run_notebooks.py $(NB)
	$(BIN)/python scripts/make_learner_editions.py

editions: setup ## regenerate the learner editions (notebooks/learner/) from the course notebooks
	$(BIN)/python scripts/make_learner_editions.py

stamp: setup
	$(BIN)/python scripts/stamp_headers.py

lint: setup-test
	$(BIN)/ruff check .

lock: ## re-pin constraints.txt from a fresh resolve
	rm -rf /tmp/rnn-edu-lock && $(PYTHON) -m venv /tmp/rnn-edu-lock
	/tmp/rnn-edu-lock/bin/pip install -q -e ".[lab,keras,test]"
	{ echo "# Pinned versions tested together (Python 3.11, Linux x86_64). Regenerate with \`make lock\`."; \
	  /tmp/rnn-edu-lock/bin/pip freeze --exclude-editable; } > constraints.txt

clean:
	rm -rf $(VENV) $(STATE) test-artifacts
