"""rnn_edu: the helper package of the rnn-edu course.

One small module per idea, named after it:

- ``data``      corpora, vocabularies, splits and batches
- ``tasks``     synthetic sequence tasks (brackets, parity, the adding problem)
- ``markov``    character n-gram Markov chains
- ``rnn``       the vanilla RNN forward pass
- ``bptt``      backpropagation through time
- ``gradcheck`` numerical gradient checks
- ``optim``     SGD, Adagrad, Adam and gradient clipping
- ``train``     training loops with progress bars
- ``sampling``  sampling text with temperature
- ``jacobians`` gradient norms over time and their bound
- ``plots``     figures shared by notebooks and widgets
- ``widgets``   the interactive explorers
- ``exercises`` the check functions of each notebook's exercises

Importing the package changes no global state (no seeds, no rcParams).
"""

__version__ = "0.1.0"
