"""SymPy side of lossbook: definitions, the identity checker, the derive → verify bridge.

``import lossbook.symbolic as sym``; see :mod:`lossbook.symbolic.definitions`,
:mod:`lossbook.symbolic.checks` and :mod:`lossbook.symbolic.derived` (``sym.derived.<name>``),
whose docstring says which identities SymPy proves for general ``n`` and which only for fixed ``n``.
"""

from . import derived
from .checks import *  # noqa: F401,F403
from .checks import __all__ as _checks_all
from .definitions import *  # noqa: F401,F403
from .definitions import __all__ as _definitions_all

__all__ = ["derived", *_definitions_all, *_checks_all]
