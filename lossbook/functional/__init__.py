r"""PyTorch's activations and losses (``torch.nn.functional``) in NumPy.

Import it as ``F``, like ``torch.nn.functional``::

    import lossbook.functional as F

Every function has PyTorch's name, argument names, defaults and semantics (read from PyTorch's
sources; see the notes in each docstring): ``F.cross_entropy(input, target, weight=None,
ignore_index=-100, reduction='mean', label_smoothing=0.0)`` here returns what
``torch.nn.functional.cross_entropy`` returns for the same arrays as tensors.

Conventions
-----------
* Arrays in, arrays out. Results keep the floating dtype of ``input`` (float32 in, float32 out);
  integer or boolean ``input`` and float targets given as integers are converted to float64 (PyTorch
  would refuse them: a convenience for small examples). Class-index targets must be integers.
* float16 is computed in float32 and rounded to float16 once, as PyTorch's CPU kernels
  effectively do (PyTorch rounds a few intermediates to float16, so its float16 answers can differ
  by a few float16 ulps).
* Scalar options are checked strictly, as PyTorch's argument parser does: a bool is a bool (the
  string ``'False'`` is not), a real number is a finite ``numbers.Real`` (not a string, not nan),
  an integer is an integer (``ignore_index=None`` is refused). Every array argument is converted
  once, at the boundary, and a ragged list or a string, complex or object array is reported with
  the argument's name.
* Dims follow PyTorch: a 0-d array has dims 0 and -1; in ``logsumexp`` an empty tuple of dims
  reduces every dim, a repeated dim raises, and a 0-d input with ``keepdim=True`` stays 0-d.
* Large inputs are processed in chunks of a fixed size: the peak extra memory of every function is
  at most about 3 times its input (``bench/bench_memory.py``).
* Reductions (``'mean'``, ``'sum'``) return 0-d arrays; ``'none'`` returns one loss per sample.
* Nothing here warns. Where PyTorch's answer is ``nan`` or ``inf`` (every target ignored, an
  infinite logit), the same ``nan`` or ``inf`` is returned quietly.
* Bad input raises :class:`ValueError` or :class:`TypeError` naming the argument. Where PyTorch
  raises an ``IndexError`` (class index or dimension out of range) the exception is also an
  ``IndexError``.
  In three places PyTorch silently returns a meaningless number and ``lossbook`` raises instead:
  a negative ``label_smoothing`` (PyTorch treats it as 0), a ``cosine_embedding_loss`` target other
  than 1 or -1 (PyTorch's loss is 0 there), and the regression losses (``mse_loss``, ``l1_loss``,
  ``smooth_l1_loss``, ``huber_loss``, ``gaussian_nll_loss``, ``poisson_nll_loss``) of ``input`` and
  ``target`` of different shapes (PyTorch broadcasts them, an (N, 1) prediction against (N,)
  targets into an N x N loss). Other deliberate differences, each stated in its docstring and
  pinned by ``tests/test_bad_inputs.py``: ``softplus`` refuses ``beta <= 0``; ``one_hot`` of an
  empty array with ``num_classes=0`` is empty (PyTorch raises); ``logsumexp(x, dim=())`` reduces
  every dim (PyTorch 2.13 raises for most inputs); a class-probability target of 0 on a ``-inf``
  logit contributes 0 to ``cross_entropy`` (PyTorch: nan); in float16, ``cosine_similarity`` and
  ``cosine_embedding_loss`` keep their ``eps`` (PyTorch's underflows to 0, so a zero vector gives
  nan there).

Accuracy
--------
Softmax cross-entropy is computed as :math:`(m - z_y) + \operatorname{log1p}(\sum_{j \ne k}
e^{z_j - m})` with :math:`m = z_k = \max_j z_j`: both terms are non-negative, so the loss keeps its
relative accuracy even when it is tiny (logits ``[40, 0]``, target 0: about ``4.25e-18``, where
``logsumexp(z) - z[y]`` and PyTorch give 0). BCE with logits is computed as a sum of non-negative
terms for the same reason. ``bench/bench_accuracy.py`` measures the errors against mpmath.

References
----------
A. Paszke et al., "PyTorch: an imperative style, high-performance deep learning library",
*NeurIPS* (2019); the documentation of ``torch.nn.functional``.
"""

from __future__ import annotations

from .._validation import DimensionOutOfRangeError, TargetOutOfBoundsError, quiet
from ._activations import log_softmax, logsigmoid, logsumexp, one_hot, sigmoid, softmax, softplus
from ._classification import (
    BCE_LOG_CLAMP,  # noqa: F401  (a documented constant, outside __all__ for the API page)
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    kl_div,
    nll_loss,
)
from ._contrastive import info_nce, margin_ranking_loss, pairwise_distance, triplet_margin_loss
from ._embedding import (  # noqa: F401  (the constant is documented on the API page)
    COSINE_EMBEDDING_EPS,
    cosine_embedding_loss,
    cosine_similarity,
)
from ._focal import sigmoid_focal_loss, softmax_focal_loss
from ._regression import (
    gaussian_nll_loss,
    huber_loss,
    l1_loss,
    mse_loss,
    poisson_nll_loss,
    smooth_l1_loss,
)

__all__ = [
    "TargetOutOfBoundsError",
    "DimensionOutOfRangeError",
    "softmax",
    "log_softmax",
    "logsumexp",
    "sigmoid",
    "logsigmoid",
    "softplus",
    "one_hot",
    "cross_entropy",
    "nll_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "kl_div",
    "mse_loss",
    "l1_loss",
    "smooth_l1_loss",
    "huber_loss",
    "gaussian_nll_loss",
    "poisson_nll_loss",
    "cosine_similarity",
    "cosine_embedding_loss",
    "pairwise_distance",
    "triplet_margin_loss",
    "margin_ranking_loss",
    "info_nce",
    "sigmoid_focal_loss",
    "softmax_focal_loss",
]

# Every public function runs under np.errstate(all="ignore"): see lossbook._validation.quiet.
for _name in __all__:
    if callable(globals()[_name]) and not isinstance(globals()[_name], type):
        globals()[_name] = quiet(globals()[_name])
del _name
