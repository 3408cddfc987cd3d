"""Check functions for the notebooks' exercises, one module per notebook.

A checker returns a :class:`Feedback`, shown as a box in a notebook: green with what was
verified, orange with a hint naming the mistake, grey for a stub not attempted yet. It never
raises for a learner; with ``RNN_EDU_STRICT=1`` (set by ``make`` for nbval and the notebook
runner) anything but a pass raises, so the course notebooks prove their reference answers.
"""

from rnn_edu.exercises._feedback import Feedback

__all__ = ["Feedback"]
