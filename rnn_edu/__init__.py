"""rnn_edu: the helper package of the rnn-edu course.

One small module per idea, named after it:

- ``data``      corpora, vocabularies, splits and batches
- ``tasks``     synthetic sequence tasks (bracket pairs, parity)
- ``adding``    the adding problem (notebook 05)
- ``markov``    character n-gram Markov chains
- ``losses``    softmax, cross-entropy and squared error with their gradients
- ``rnn``       the vanilla RNN forward pass
- ``bptt``      backpropagation through time
- ``gru``       the gated recurrent unit, forward and backward (notebook 07)
- ``gradcheck`` numerical gradient checks
- ``optim``     SGD, Adagrad, Adam and gradient clipping
- ``train``     training loops with progress bars
- ``sampling``  sampling text with temperature
- ``checkpoint`` saving and loading weights (``.npz``)
- ``jacobians`` gradient norms over time and their bound
- ``keras_bridge`` weights between the NumPy models and Keras layers (SimpleRNN, GRU, Dense, Embedding)
- ``forecast``  chronological splits, leak-free windows and forecasting baselines
- ``widgets``   the interactive explorers
- ``exercises`` the check functions of each notebook's exercises
- ``versions``  the environment check of notebook 00
- ``_checks``   the argument checks every module shares (one line each, one message format)

A wrong argument raises ``TypeError`` or ``ValueError`` saying which argument, what was expected
and what came; inf and NaN arguments are refused (``_checks.NonFiniteError``, a ``ValueError``).

Importing the package changes no global state (no seeds, no rcParams).
"""

__version__ = "0.1.0"
