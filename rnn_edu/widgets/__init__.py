"""The course's interactive explorers, one module each.

Each explorer is an ``Explorer`` (see ``_base``): display it in a notebook cell to get the
live widget in JupyterLab/Colab and a static picture elsewhere.
"""

from rnn_edu.widgets._base import Explorer, figure_png

__all__ = ["Explorer", "figure_png"]
