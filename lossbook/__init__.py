"""lossbook: the loss functions of deep learning, derived, computed and tested.

Modules, by layer: :mod:`lossbook.functional` (PyTorch's losses in NumPy), :mod:`lossbook.gradients`
(their analytic gradients), :mod:`lossbook.info` (information measures), :mod:`lossbook.symbolic`
(SymPy definitions and the derive-then-verify checks), :mod:`lossbook.plotting` (the figure style).
"""
__version__ = "0.1.0"
