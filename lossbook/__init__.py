"""lossbook: the loss functions of deep learning, derived, computed and tested.

Modules, by layer: :mod:`lossbook.functional` (PyTorch's losses in NumPy), :mod:`lossbook.gradients`
(their analytic gradients), :mod:`lossbook.info` (information measures), :mod:`lossbook.symbolic`
(SymPy definitions and the derive-then-verify checks), :mod:`lossbook.plotting` (the figure style).
"""

# The one place the version is written: pyproject.toml reads it ([tool.setuptools.dynamic]);
# CITATION.cff, _config.yml, book/how-to-cite.md and the chapters' install cells repeat it, and
# tests/test_course_material.py::test_one_version_everywhere checks that they agree.
__version__ = "0.2.0"
