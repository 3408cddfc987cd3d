"""Check functions for the notebooks' exercises, one module per notebook.

A checker returns a :class:`Feedback` (shown as a green or orange box in a notebook) and, with
``strict=True``, raises ``AssertionError`` with the same hint, so a notebook that ships the
reference answers proves its own checkers run.
"""

from rnn_edu.exercises._feedback import Feedback

__all__ = ["Feedback"]
