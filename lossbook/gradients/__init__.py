r"""Analytic gradients of the losses of :mod:`lossbook.functional`, and a numerical gradient.

Each ``<loss>_grad`` function takes the arguments of the loss in :mod:`lossbook.functional` (the
same names, defaults and checks) and returns :math:`\partial L / \partial\, \text{input}`, where
:math:`L` is the loss *with the same reduction*: an array of the shape of ``input``. It is what
PyTorch's autograd leaves in ``input.grad`` after ``loss.backward()``::

    x = torch.tensor(input, requires_grad=True)
    F.cross_entropy(x, target, reduction=reduction).sum().backward()
    x.grad          # == cross_entropy_grad(input, target, reduction=reduction)

Conventions
-----------
* ``reduction='none'``: the loss is an array, and its "gradient" is that of ``loss.sum()``. Each
  sample's loss depends only on its own entries of ``input`` (its row, or its pixel for
  (N, C, d1, ...) input), so entry :math:`n` of the result is the gradient of sample :math:`n`'s
  own loss: the per-sample gradients, all in one array.
* dtype: the result has the floating dtype of ``input`` (float32 in, float32 out, float16 in,
  float16 out; integer input gives float64). The arithmetic is done in float64 and rounded once at
  the end, chunk by chunk: the peak extra memory stays below about 3 times the input.
* Options are checked as strictly as in :mod:`lossbook.functional` (``ignore_index`` an int,
  ``log_target`` a bool, ``label_smoothing`` and ``eps`` real numbers).
* Where PyTorch's gradient is ``nan`` or 0 in an edge case, so is this one, quietly (nothing here
  warns). In particular, with ``reduction='mean'`` and *every* target ignored the loss is ``nan``
  (0/0) but PyTorch's gradient is **0**: the backward pass writes only the entries of kept targets.
* Arguments are checked as in :mod:`lossbook.functional` (the same helpers and messages): an
  unknown ``reduction`` or mismatched shapes raise :class:`ValueError`, float class indices
  :class:`TypeError`, a class index outside ``[0, C)``
  :class:`~lossbook.functional.TargetOutOfBoundsError` (both a :class:`ValueError` and an
  :class:`IndexError`: "Target 4 is out of bounds").

Formulas (:math:`p = \operatorname{softmax}(x)`, :math:`\sigma` the logistic sigmoid, :math:`s`
the reduction's scale: 1 for 'sum' and 'none', 1/(what 'mean' divides by) for 'mean'):

========================================  ====================================================
loss                                      :math:`\partial L / \partial x` (one sample)
========================================  ====================================================
cross-entropy, class index :math:`y`      :math:`s\, w_y\, (p - e_y)`
cross-entropy, probabilities :math:`q`    :math:`s\, (p \sum_c w_c q_c - w \odot q)`
NLL                                       :math:`-s\, w_y\, e_y`
BCE (of probabilities)                    :math:`s\, w\, (p - y) / \max(p(1-p), 10^{-12})`
BCE with logits                           :math:`s\, w\, [(1-y)\sigma(x) - p_w\, y\, \sigma(-x)]`
KL divergence                             :math:`-s\, t` (or :math:`-s\, e^{t}` with ``log_target``)
MSE                                       :math:`2 s\, (x - y)`
L1                                        :math:`s\, \operatorname{sign}(x - y)` (0 at 0)
smooth L1 (:math:`\beta > 0`)             :math:`s\, \operatorname{clip}((x - y)/\beta, -1, 1)`
Huber                                     :math:`s\, \operatorname{clip}(x - y, -\delta, \delta)`
Gaussian NLL (mean; variance)             :math:`s\, r/v`; :math:`\tfrac{s}{2}(1/v - r^2/v^2)`,
                                          :math:`v = \max(\sigma^2, \epsilon)`
Poisson NLL (log-rate; rate)              :math:`s\,(e^{x} - y)`; :math:`s\,(1 - y/(x + \epsilon))`
========================================  ====================================================

References
----------
I. Goodfellow, Y. Bengio and A. Courville, *Deep Learning*, MIT Press (2016), sections 6.2.2 and
6.5 (output units and back-propagation).

J. Nocedal and S. J. Wright, *Numerical Optimization*, 2nd ed., Springer (2006), section 8.1
(finite-difference derivative approximations).
"""

from __future__ import annotations

from .._validation import DimensionOutOfRangeError, TargetOutOfBoundsError, quiet
from ._classification import (
    BCE_GRAD_EPSILON,  # noqa: F401  (a documented constant, outside __all__ for the API page)
    binary_cross_entropy_grad,
    binary_cross_entropy_with_logits_grad,
    cross_entropy_grad,
    kl_div_grad,
    nll_loss_grad,
)
from ._contrastive import (
    info_nce_grad,
    margin_ranking_loss_grad,
    pairwise_distance_grad,
    triplet_margin_loss_grad,
)
from ._embedding import cosine_similarity_grad
from ._focal import sigmoid_focal_loss_grad, softmax_focal_loss_grad
from ._numerical import numerical_gradient
from ._regression import (
    gaussian_nll_loss_grad,
    huber_loss_grad,
    l1_loss_grad,
    mse_loss_grad,
    poisson_nll_loss_grad,
    smooth_l1_loss_grad,
)

__all__ = [
    "cross_entropy_grad",
    "nll_loss_grad",
    "binary_cross_entropy_grad",
    "binary_cross_entropy_with_logits_grad",
    "kl_div_grad",
    "mse_loss_grad",
    "l1_loss_grad",
    "smooth_l1_loss_grad",
    "huber_loss_grad",
    "gaussian_nll_loss_grad",
    "poisson_nll_loss_grad",
    "cosine_similarity_grad",
    "pairwise_distance_grad",
    "triplet_margin_loss_grad",
    "margin_ranking_loss_grad",
    "info_nce_grad",
    "sigmoid_focal_loss_grad",
    "softmax_focal_loss_grad",
    "numerical_gradient",
    "TargetOutOfBoundsError",
    "DimensionOutOfRangeError",
]

# Every public function runs under np.errstate(all="ignore"): see lossbook._validation.quiet.
for _name in __all__:
    if callable(globals()[_name]) and not isinstance(globals()[_name], type):
        globals()[_name] = quiet(globals()[_name])
del _name
