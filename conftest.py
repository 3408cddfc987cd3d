"""Keep tool state out of the home folder and TensorFlow quiet, however pytest is started.

``make`` exports the same variables; this covers a bare ``pytest`` too. Kernels started by
nbval and the JupyterLab of the browser tests inherit them.
"""

import os
from pathlib import Path

STATE = Path(__file__).resolve().parent / ".state"
for variable, folder in {
    "JUPYTER_CONFIG_DIR": "jupyter/config",
    "JUPYTER_DATA_DIR": "jupyter/data",
    "JUPYTER_RUNTIME_DIR": "jupyter/runtime",
    "IPYTHONDIR": "ipython",
    "MPLCONFIGDIR": "matplotlib",
    "KERAS_HOME": "keras",
}.items():
    os.environ.setdefault(variable, str(STATE / folder))
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# The learner editions hold stubs and cleared outputs, so nbval cannot compare them:
# tests/test_learner_editions.py runs each one instead.
collect_ignore_glob = ["notebooks/learner/*.ipynb"]
