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

.PHONY: lab test pytest-main setup setup-test quiet-lab chromium unit nbval portability claims browser notebooks stamp editions lint lock clean test-colab assets bench

lab: setup quiet-lab ## install (first time only) and open the course in JupyterLab
	$(BIN)/jupyter lab --ip=127.0.0.1 --port=$(PORT) --notebook-dir=notebooks \
		--ServerApp.open_browser=$${OPEN_BROWSER:-True} \
		--LabApp.news_url=None \
		--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
		$$( [ "$$(id -u)" = 0 ] && echo --allow-root ) $(LAB_ARGS)

test: setup-test chromium quiet-lab ## everything: lint, unit tests, notebooks (nbval), browser tests, portability, claims
	$(BIN)/ruff check .
	$(BIN)/python scripts/stamp_headers.py --check
	$(BIN)/python scripts/make_learner_editions.py --check
	@# Four parts, two at a time, longest first (each with its own IPython state: kernels run
	@# side by side); each part's output is printed whole when it ends.
	$(MAKE) --no-print-directory -j2 --output-sync=target pytest-main claims test-colab portability

# The learner editions run top to bottom in test-colab, where their Colab badge leads; the course
# notebooks run here under nbval (and again with SIMD lowered in portability).
pytest-main: setup-test
	$(STRICT) $(BIN)/pytest $(NBVAL_FLAGS) -m "not claims" tests notebooks \
		--deselect tests/test_learner_editions.py::test_edition_runs_with_every_check_not_attempted

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
	$(BIN)/pytest tests -m "not browser and not claims"

nbval: setup-test ## check stored notebook outputs, e.g. make nbval NB=notebooks/01_markov_chains.ipynb
	$(STRICT) $(BIN)/pytest $(NBVAL_FLAGS) $(NB)

# The same stored outputs with NumPy's SIMD dispatch lowered (computed for this machine): what a
# notebook prints must not depend on the CPU's rounding. OpenBLAS is never touched here.
portability: setup-test ## nbval again with NumPy's SIMD paths lowered
	lowered="$$($(BIN)/python scripts/lowered_simd.py --check)" && \
		NPY_DISABLE_CPU_FEATURES="$$lowered" IPYTHONDIR=$(STATE)/ipython-portability $(STRICT) \
		$(BIN)/pytest $(NBVAL_FLAGS) notebooks

claims: setup-test ## re-run every asserted training claim over its seeds; prints the smallest margins
	IPYTHONDIR=$(STATE)/ipython-claims $(STRICT) $(BIN)/pytest -m claims --timeout=1800 --durations=12 tests/claims

browser: setup-test chromium quiet-lab
	$(BIN)/pytest tests -m browser

notebooks: setup-test ## re-execute notebooks in place: make notebooks [NB=notebooks/01_markov_chains.ipynb]
	$(BIN)/python scripts/stamp_headers.py
	$(STRICT) $(BIN)/python scripts/run_notebooks.py $(NB)
	$(BIN)/python scripts/make_learner_editions.py

# Speed tables (benchmarks/README.md), with OpenBLAS's own kernel for this CPU: some machines'
# environments force an older one (OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE, for old OpenBLAS builds),
# so both are unset for each benchmark command alone. Tests and CI keep whatever is set.
BENCH ?= bench_train bench_gru
bench: setup-test ## speed tables, e.g. make bench [BENCH="bench_train bench_gru bench_explorers"]
	for b in $(BENCH); do \
		env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(BIN)/python benchmarks/$$b.py || exit 1; done

# Every file in assets/ (assets/README.md): the diagrams, then the trained weights (about 15 min
# on 2 cores, deterministic for a given machine and thread count), then manifest.json.
assets: setup-test ## rebuild assets/: diagrams, trained weights, manifest
	$(BIN)/python scripts/draw_diagrams.py
	nice -n 5 $(BIN)/python scripts/make_assets.py

editions: setup ## regenerate the learner editions (notebooks/learner/) from the course notebooks
	$(BIN)/python scripts/make_learner_editions.py

stamp: setup
	$(BIN)/python scripts/stamp_headers.py

lint: setup-test
	$(BIN)/ruff check .

# Pinned per platform by hand, in the block at the end of constraints.txt that `make lock` keeps.
PLATFORM_PINNED := numpy protobuf ml_dtypes argon2-cffi-bindings pandas scipy statsmodels
lock: ## re-pin constraints.txt from a fresh resolve
	rm -rf /tmp/rnn-edu-lock && $(PYTHON) -m venv /tmp/rnn-edu-lock
	/tmp/rnn-edu-lock/bin/pip install -q -e ".[lab,keras,test]"
	{ echo "# Pinned versions tested together (Python 3.11, Linux x86_64). Regenerate with \`make lock\`."; \
	  /tmp/rnn-edu-lock/bin/pip freeze --exclude-editable $(PLATFORM_PINNED:%=--exclude %); \
	  sed -n '/^# --- Pins that differ by platform/,$$p' constraints.txt; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

# Colab as it is (tests/colab/colab-image.txt) on our Python: rnn_edu installed by the notebooks'
# own setup cell, then the unit and widget tests and every notebook, run top to bottom (asserts
# checked, stored outputs not compared: the versions differ), as its learner edition where it has
# one: that is what a learner's Colab badge opens, and the course notebooks run in pytest-main. Test tools as pinned in constraints.txt.
COLAB_VENV := .venv-colab
COLAB_BIN := $(COLAB_VENV)/bin
COLAB_TEST_TOOLS := pytest pytest-timeout hypothesis nbclient nbformat
$(COLAB_VENV)/.installed: tests/colab/colab-image.txt constraints.txt
	test -x $(COLAB_BIN)/python || $(PYTHON) -m venv $(COLAB_VENV)
	$(COLAB_BIN)/python -m pip install -q -r tests/colab/colab-image.txt
	$(COLAB_BIN)/python -m pip install -q -c tests/colab/colab-image.txt \
		$$(for p in $(COLAB_TEST_TOOLS); do grep -i "^$$p==" constraints.txt; done)
	touch $@

test-colab: $(COLAB_VENV)/.installed ## Colab's versions: setup cell, unit and widget tests, every notebook (learner editions where they exist)
	$(COLAB_BIN)/python -m pip uninstall -q -y rnn-edu 2>/dev/null || true  # the cell installs it afresh
	$(COLAB_BIN)/python scripts/colab_setup.py
	IPYTHONDIR=$(STATE)/ipython-colab PYDEVD_DISABLE_FILE_VALIDATION=1 \
		$(COLAB_BIN)/pytest -q --import-mode=importlib -m "not browser and not network and not claims" \
		--ignore=tests/browser --ignore=tests/test_make_lab.py -p no:warnings tests
	IPYTHONDIR=$(STATE)/ipython-colab PYDEVD_DISABLE_FILE_VALIDATION=1 $(COLAB_BIN)/python scripts/run_notebooks.py --check --without-edition  # quiet ipykernel 6.17's debugger

clean:
	rm -rf $(VENV) $(COLAB_VENV) $(STATE) test-artifacts
