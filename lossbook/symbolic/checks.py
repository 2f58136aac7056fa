r"""The derive → verify bridge: decide symbolic identities, compare formulas with ``lossbook``.

* :func:`check_identity` asks SymPy whether ``lhs == rhs``, trying the simplifications that
  apply to losses in turn, and probes random admissible points in high precision (mpmath through
  ``evalf``) to refute false identities. The result is *proved*, *refuted* (with a
  counterexample) or *undecided*; only *proved* is truthy.
* :func:`check_numeric` lambdifies an expression and compares it with a ``lossbook`` function on
  named cases, displaying differences rounded **up** to a coarse bound so that notebook outputs
  do not depend on the last bits of a CPU's floating-point paths.
* :func:`random_cases`, :func:`random_logits`, :func:`random_simplex`, :func:`edge_logits`,
  :func:`edge_simplex` make seeded, named cases.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp

__all__ = [
    "IdentityResult",
    "check_identity",
    "plain_text",
    "NumericCheck",
    "NumericRow",
    "check_numeric",
    "coarse_bound",
    "random_cases",
    "random_logits",
    "random_simplex",
    "edge_logits",
    "edge_simplex",
]

PROBE_POINTS = 6
"""Random admissible points at which :func:`check_identity` evaluates ``lhs - rhs``."""
PROBE_DIGITS = 50
"""Working precision (decimal digits) of the numeric probe."""
PROBE_TOLERANCE = 1e-25
"""``|lhs - rhs| > PROBE_TOLERANCE * (1 + |lhs| + |rhs|)`` at a probe point refutes."""
SIMPLIFY_MAX_OPS = 600
"""``sympy.simplify`` is skipped (it can take minutes) on differences with more operations."""


# =============================================================================================
# check_identity
# =============================================================================================
@dataclass(frozen=True)
class IdentityResult:
    """What :func:`check_identity` found out about ``lhs == rhs``.

    Attributes
    ----------
    lhs, rhs : sympy.Expr or sympy.Matrix
        The two sides, as given.
    verdict : {'proved', 'refuted', 'undecided'}
    method : str
        The simplification that reduced ``lhs - rhs`` to zero, or how it was refuted, or the list
        of what was tried.
    counterexample : tuple of (str, float) pairs
        For a refuted identity: the point, then ``lhs`` and ``rhs`` there (6 significant digits).
    constraints : tuple of sympy.Expr
        Side conditions (each ``== 0``) under which the identity was checked.

    See Also
    --------
    check_identity

    Notes
    -----
    ``bool(result)`` is True only when the identity was proved; :meth:`assert_proved` raises
    ``AssertionError`` with the reason otherwise. In a notebook the result shows as a small table
    (identity typeset, verdict, method; ``_repr_html_``, and ``_repr_markdown_`` with ``$...$``
    maths where HTML is not rendered); ``str`` (and so ``print``) is plain text without LaTeX,
    ``"proved: lhs = rhs"``; ``repr`` is a deterministic one-line summary.

    Examples
    --------
    >>> import sympy as sp
    >>> p, q = sp.symbols("p q", positive=True)
    >>> result = check_identity(sp.log(p * q), sp.log(p) + sp.log(q))
    >>> print(result)
    proved: log(p*q) = log(p) + log(q)
    >>> result.reason
    'proved by expand'
    """

    lhs: sp.Basic
    rhs: sp.Basic
    verdict: str
    method: str
    counterexample: tuple = ()
    constraints: tuple = ()

    def __bool__(self) -> bool:
        return self.verdict == "proved"

    @property
    def reason(self) -> str:
        """One sentence: the verdict and why."""
        if self.verdict == "proved":
            return f"proved by {self.method}"
        if self.verdict == "refuted":
            point = ", ".join(f"{name} = {value}" for name, value in self.counterexample)
            return f"refuted ({self.method}): {point}"
        return f"undecided: SymPy could not decide ({self.method})"

    def assert_proved(self) -> IdentityResult:
        """Return ``self`` if proved; raise ``AssertionError`` with the reason otherwise."""
        if not self:
            raise AssertionError(
                f"{sp.sstr(self.lhs)} = {sp.sstr(self.rhs)} is not proved: {self.reason}"
            )
        return self

    def __repr__(self) -> str:
        return f"IdentityResult({self.reason})"

    def __str__(self) -> str:
        """Plain text, no LaTeX: ``proved: log(p*q) = log(p) + log(q)``."""
        text = f"{self.verdict}: {plain_text(self.lhs)} = {plain_text(self.rhs)}"
        if self.constraints:
            text += " given " + ", ".join(f"{plain_text(c)} = 0" for c in self.constraints)
        if self.verdict == "refuted":
            text += " (" + ", ".join(f"{n} = {v}" for n, v in self.counterexample) + ")"
        return text

    def _repr_markdown_(self) -> str:
        """The identity typeset (``$...$``), the verdict and the method."""
        text = f"**{self.verdict}**: ${sp.latex(self.lhs)} = {sp.latex(self.rhs)}$"
        if self.constraints:
            text += " given $" + ",\\ ".join(f"{sp.latex(c)} = 0" for c in self.constraints) + "$"
        if self.verdict == "refuted":
            point = ", ".join(f"{n} = {v}" for n, v in self.counterexample)
            return f"{text} (counterexample: {point})"
        label = "by" if self.verdict == "proved" else "tried"
        return f"{text} ({label} {self.method})"

    def _repr_html_(self) -> str:
        identity = f"{sp.latex(self.lhs)} = {sp.latex(self.rhs)}"
        rows = [
            (
                "identity",
                f'<span class="math notranslate nohighlight">\\({html.escape(identity)}\\)</span>',
            )
        ]
        if self.constraints:
            conditions = ",\\ ".join(f"{sp.latex(c)} = 0" for c in self.constraints)
            rows.append(
                (
                    "given",
                    f'<span class="math notranslate nohighlight">'
                    f"\\({html.escape(conditions)}\\)</span>",
                )
            )
        rows.append(("verdict", f"<strong>{self.verdict}</strong>"))
        label = "method" if self.verdict != "undecided" else "tried"
        rows.append((label, html.escape(self.method)))
        if self.verdict == "refuted":
            rows.append(
                (
                    "counterexample",
                    html.escape(
                        ", ".join(f"{name} = {value}" for name, value in self.counterexample)
                    ),
                )
            )
        if self.verdict == "undecided":
            rows.append(("note", "SymPy could not decide; this is not a proof"))
        body = "".join(
            f'<tr><th style="text-align:left">{k}</th><td style="text-align:left">{v}</td></tr>'
            for k, v in rows
        )
        return f'<table class="lossbook-identity">{body}</table>'


_GREEK = (
    "alpha",
    "beta",
    "gamma",
    "delta",
    "epsilon",
    "zeta",
    "eta",
    "theta",
    "kappa",
    "lambda",
    "mu",
    "nu",
    "xi",
    "pi",
    "rho",
    "sigma",
    "tau",
    "phi",
    "chi",
    "psi",
    "omega",
)
_GREEK_LETTERS = "αβγδεζηθκλμνξπρστφχψω"


def plain_text(expr) -> str:
    r"""``expr`` as one line of plain text, no LaTeX.

    Parameters
    ----------
    expr : sympy.Basic
        An expression (or matrix).

    Returns
    -------
    str
        SymPy's ``sstr`` with Greek letter names written as letters (``epsilon`` -> ``ε``) and
        the braces of names such as ``p^{\varepsilon}`` dropped.

    See Also
    --------
    IdentityResult : its ``str`` uses this.

    Examples
    --------
    >>> import sympy as sp
    >>> plain_text(sp.log(sp.Symbol("epsilon") * sp.Symbol("p")))
    'log(ε*p)'
    >>> plain_text(sp.Symbol("p^{\\varepsilon}") + 1)
    'p^ε + 1'
    """
    text = sp.sstr(expr)
    text = re.sub(r"\\(var)?(" + "|".join(_GREEK) + r")\b", r"\2", text)
    text = text.replace("{", "").replace("}", "")
    return re.sub(
        r"(?<![A-Za-z])(" + "|".join(_GREEK) + r")(?![A-Za-z])",
        lambda m: _GREEK_LETTERS[_GREEK.index(m.group(1))],
        text,
    )


def _is_zero(expr) -> bool:
    if isinstance(expr, sp.MatrixBase):
        return all(_is_zero(entry) for entry in expr)
    return expr == 0 or getattr(expr, "is_zero", None) is True


def _natural_key(symbol) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", str(symbol)))


def _solve_constraint(constraint: sp.Expr) -> tuple[sp.Symbol, sp.Expr] | None:
    """Solve ``constraint == 0`` for its last variable (natural order: p_10 after p_9)."""
    for symbol in sorted(constraint.free_symbols, key=_natural_key, reverse=True):
        if constraint.is_polynomial(symbol) and sp.degree(constraint, symbol) == 1:
            solutions = sp.solve(constraint, symbol, dict=False)
            if len(solutions) == 1:
                return symbol, solutions[0]
    return None


def _factor_log_arguments(expr: sp.Expr) -> sp.Expr:
    return expr.replace(
        lambda e: isinstance(e, sp.log), lambda e: sp.log(sp.factor_terms(sp.expand(e.args[0])))
    )


def _sum_depth(expr) -> int:
    inner = (
        [_sum_depth(s.function) for s in expr.atoms(sp.Sum)] if isinstance(expr, sp.Basic) else []
    )
    return 1 + max(inner, default=-1) if isinstance(expr, sp.Sum) else max(inner, default=-1)


def _rename_summation_indices(expr: sp.Expr) -> sp.Expr:
    """Give every summation index a canonical name (by nesting depth), so that
    ``Sum(f(i), (i, 1, n))`` and ``Sum(f(j), (j, 1, n))`` become the same expression."""

    def rename(s: sp.Sum) -> sp.Sum:
        if len(s.limits) != 1:
            return s
        index, low, high = s.limits[0]
        depth = max((_sum_depth(t) for t in s.function.atoms(sp.Sum)), default=-1) + 1
        canonical = sp.Symbol(f"_k{depth}", **index.assumptions0)
        return sp.Sum(s.function.xreplace({index: canonical}), (canonical, low, high))

    return expr.replace(lambda e: isinstance(e, sp.Sum), rename)


def _pull_constants_out_of_sums(expr: sp.Expr) -> sp.Expr:
    def pull(s: sp.Sum) -> sp.Expr:
        indices = {limit[0] for limit in s.limits}
        factors = sp.Mul.make_args(s.function)
        constant = sp.Mul(*[f for f in factors if not f.free_symbols & indices])
        return constant * sp.Sum(
            sp.Mul(*[f for f in factors if f.free_symbols & indices]), *s.limits
        )

    return expr.replace(lambda e: isinstance(e, sp.Sum), pull)


def _expand_sums(expr: sp.Expr) -> sp.Expr:
    """Expand logarithms inside ``Sum`` bodies, split sums of sums, pull constants out,
    rename summation indices canonically."""
    expr = expr.replace(
        lambda e: isinstance(e, sp.Sum),
        lambda e: sp.Sum(sp.expand(sp.expand_log(e.function, force=False)), *e.limits),
    )
    expr = _pull_constants_out_of_sums(sp.expand(expr))
    return sp.cancel(sp.expand(_rename_summation_indices(expr)))


def _exponentiated(expr: sp.Expr) -> sp.Expr:
    """``exp(d) - 1``, normalised; zero proves ``d = 0`` when ``d`` is known to be real."""
    if expr.is_extended_real is not True:
        return sp.nan
    return sp.cancel(sp.expand(sp.powsimp(sp.exp(sp.expand(expr))))) - 1


def _simplified(expr: sp.Expr) -> sp.Expr:
    if sp.count_ops(expr) > SIMPLIFY_MAX_OPS:
        return sp.nan
    return sp.simplify(expr)


_CHEAP_STEPS: tuple[tuple[str, Callable], ...] = (
    ("automatic simplification", lambda d: d),
    ("expand", sp.expand),
    ("expand_log(force=False)", lambda d: sp.expand(sp.expand_log(sp.expand(d), force=False))),
    (
        "factoring log arguments + expand_log(force=False)",
        lambda d: sp.expand(sp.expand_log(_factor_log_arguments(d), force=False)),
    ),
    ("logcombine", lambda d: sp.expand(sp.logcombine(d))),
    ("cancel", lambda d: sp.cancel(sp.expand(d))),
    ("powsimp + cancel", lambda d: sp.cancel(sp.powsimp(sp.expand(d)))),
    ("exp of the (real) difference + cancel", _exponentiated),
)
_SUM_STEPS: tuple[tuple[str, Callable], ...] = (
    ("Sum.doit", lambda d: sp.expand(sp.expand_log(d.doit(), force=False))),
    ("Sum manipulation (expand_log in the body, split, factor)", _expand_sums),
    ("Sum manipulation + simplify", lambda d: _simplified(_expand_sums(d))),
)
_EXPENSIVE_STEPS: tuple[tuple[str, Callable], ...] = (
    ("simplify", _simplified),
    ("expand_log + simplify", lambda d: _simplified(sp.expand_log(sp.expand(d), force=False))),
)


def _try_steps(difference, steps) -> str | None:
    for name, step in steps:
        try:
            if _is_zero(
                step(difference)
                if not isinstance(difference, sp.MatrixBase)
                else difference.applyfunc(step)
            ):
                return name
        except (TypeError, ValueError, NotImplementedError, AttributeError, RecursionError):
            continue
    return None


def _sample(symbol, rng: np.random.Generator, in_constraint: int) -> sp.Basic:
    if symbol.is_integer:
        low = 1 if symbol.is_positive else 0
        return sp.Integer(int(rng.integers(max(low, 1), 6)))
    if symbol.is_positive or symbol.is_nonnegative:
        upper = 1.0 / max(in_constraint, 1) if in_constraint else 1.0
        return sp.Float(float(rng.uniform(0.05 * upper, upper)), PROBE_DIGITS)
    if symbol.is_negative:
        return sp.Float(-float(rng.uniform(0.05, 1.0)), PROBE_DIGITS)
    return sp.Float(float(rng.normal(scale=2.0)), PROBE_DIGITS)


def _admissible(symbol, value) -> bool:
    if not value.is_real:
        return False
    checks = {"positive": value > 0, "nonnegative": value >= 0, "negative": value < 0}
    return all(bool(ok) for name, ok in checks.items() if getattr(symbol, f"is_{name}"))


def _probe(lhs, rhs, solved: dict, constraints, rng) -> tuple | None:
    """Look for a point where ``lhs != rhs``; return a counterexample or None."""
    expressions = [lhs, rhs]
    constrained = {}
    for constraint in constraints:
        for symbol in constraint.free_symbols:
            constrained[symbol] = max(constrained.get(symbol, 0), len(constraint.free_symbols))
    free = set(constrained).union(*(sp.sympify(e).free_symbols for e in expressions))
    labels = set().union(
        *({b.label for b in sp.sympify(e).atoms(sp.IndexedBase)} for e in expressions)
    )
    free = {s for s in free if isinstance(s, sp.Symbol) and s not in labels}
    free = sorted(free - set(solved), key=_natural_key)
    for _ in range(PROBE_POINTS):
        for _attempt in range(50):
            point = {s: _sample(s, rng, constrained.get(s, 0)) for s in free}
            dependent = {
                s: sp.sympify(v).evalf(PROBE_DIGITS, subs=point) for s, v in solved.items()
            }
            if all(_admissible(s, v) for s, v in dependent.items()):
                break
        else:
            return None
        point.update(dependent)
        indexed = _sample_indexed(expressions, point, rng)
        point.update(indexed)
        values = [_evaluate(e, point) for e in expressions]
        if any(v is None for v in values):
            continue
        left, right = values
        scale = 1 + np.max(np.abs(np.concatenate([left, right])))
        if np.max(np.abs(left - right)) > PROBE_TOLERANCE * scale:
            shown = [
                (str(s), _six(point[s])) for s in sorted(point, key=lambda s: _natural_key(str(s)))
            ]
            return tuple(shown) + (("lhs", _six(left)), ("rhs", _six(right)))
    return None


def _with_integers(expr, point: dict):
    expr = sp.sympify(expr).subs({s: v for s, v in point.items() if v.is_Integer})
    return expr.doit() if expr.has(sp.Sum) else expr


def _sample_indexed(expressions, point: dict, rng) -> dict:
    """Values for the entries ``p[1], p[2], ...`` that appear once finite sums are expanded."""
    atoms = set().union(*(_with_integers(e, point).atoms(sp.Indexed) for e in expressions))
    return {atom: _sample(atom, rng, 0) for atom in sorted(atoms, key=sp.default_sort_key)}


def _evaluate(expr, point: dict) -> np.ndarray | None:
    """``expr`` at ``point`` with PROBE_DIGITS digits, after expanding finite ``Sum``s."""
    expr = _with_integers(expr, point)
    extra = {}
    entries = list(expr) if isinstance(expr, sp.MatrixBase) else [expr]
    values = []
    for entry in entries:
        value = entry.evalf(PROBE_DIGITS, subs={**point, **extra})
        if not value.is_number or value.has(sp.nan, sp.zoo):
            return None
        real, imag = value.as_real_imag()
        if abs(imag) > PROBE_TOLERANCE * (1 + abs(real)):
            return None
        values.append(float(real) if abs(real) < 1e300 else math.copysign(math.inf, real))
    return np.array(values)


def _six(value) -> str:
    array = np.atleast_1d(np.asarray(value, dtype=float))
    text = ", ".join(f"{x:.6g}" for x in array)
    return text if array.size == 1 else f"[{text}]"


def _with_assumptions(assumptions: Mapping | None) -> dict:
    """Map each symbol to a symbol of the same name with the extra assumptions."""
    if not assumptions:
        return {}
    replacement = {}
    for symbol, extra in assumptions.items():
        extra = {extra: True} if isinstance(extra, str) else dict(extra)
        replacement[symbol] = sp.Symbol(symbol.name, **{**symbol.assumptions0, **extra})
    return replacement


def _as_comparable(value):
    if isinstance(value, (list, tuple)):
        return sp.Matrix(value)
    return sp.sympify(value)


def check_identity(
    lhs, rhs, *, constraints: Sequence = (), assumptions: Mapping | None = None, seed: int = 0
) -> IdentityResult:
    r"""Decide whether ``lhs == rhs`` with SymPy: proved, refuted or undecided.

    The difference :math:`d = \text{lhs} - \text{rhs}` is put through simplifications in turn,
    cheap ones first: SymPy's automatic simplification, ``expand``, ``expand_log(force=False)``
    (sound under the symbols' assumptions: it only splits the logarithm of a product of positive
    factors), factoring the arguments of logarithms, ``logcombine``, ``cancel``, ``powsimp``,
    :math:`e^{d} = 1` for a difference known to be real, then ``Sum`` manipulation (``doit``,
    expanding logarithms inside the body, splitting and factoring sums) and ``simplify``. The
    first that yields 0 proves the identity. Constraints are used by solving each for its last
    variable (``p_n = 1 - p_1 - ... - p_{n-1}`` for the simplex) and substituting.

    If none succeeds, ``lhs`` and ``rhs`` are evaluated with 50 significant digits (mpmath,
    through ``evalf``) at random admissible points (positive symbols in (0, 1), points on the
    constraints); a difference there *refutes* the identity, with a counterexample. Otherwise
    the verdict is *undecided*: SymPy could not decide, and the result is falsy.

    Parameters
    ----------
    lhs, rhs : sympy.Expr, sympy.Matrix or list of expressions
        The two sides (lists and matrices are compared entry by entry).
    constraints : sequence of sympy.Expr or sympy.Eq
        Side conditions, each an expression equal to zero (e.g. ``sym.simplex(ps)``) or an
        equation.
    assumptions : mapping, optional
        Extra assumptions for some symbols, ``{symbol: {"positive": True}}`` or
        ``{symbol: "positive"}``; the symbol is replaced by one of the same name with these
        assumptions added.
    seed : int
        Seed of the random probe points (the result is deterministic).

    Returns
    -------
    IdentityResult
        Truthy only if proved; ``.assert_proved()`` raises otherwise.

    Raises
    ------
    ValueError
        If one side is a matrix and the other not (or they have different numbers of entries),
        or a constraint cannot be solved for one of its variables.

    See Also
    --------
    check_numeric : compare a formula with ``lossbook`` on numbers.
    plain_text : how ``print(result)`` writes the sides.

    Notes
    -----
    *Proved* means SymPy reduced the difference to 0 by the named transformations, each sound
    under the symbols' assumptions. *Refuted* comes with a point where the two sides differ by
    more than ``PROBE_TOLERANCE`` at ``PROBE_DIGITS`` digits. *Undecided* is neither: it
    is falsy, so ``assert_proved`` fails. With constraints, logarithms are also split *before*
    substituting the solved constraints (after ``p_n = 1 - p_1 - ...`` the positivity that
    justifies splitting ``log(p_1 p_n)`` is no longer visible to SymPy).

    References
    ----------
    A. Meurer et al., "SymPy: symbolic computing in Python", *PeerJ Computer Science* 3 (2017),
    e103, doi:10.7717/peerj-cs.103.

    Examples
    --------
    >>> from lossbook import symbolic as sym
    >>> p, q = sym.probabilities(3), sym.probabilities(3, "q")
    >>> bool(sym.check_identity(sym.cross_entropy(p, q), sym.entropy(p) + sym.kl_divergence(p, q)))
    True
    >>> sym.check_identity(sym.kl_divergence(p, q), sym.kl_divergence(q, p)).verdict
    'refuted'
    >>> z = sym.logits(2)
    >>> sym.check_identity(sum(sym.softmax(z)), 1)
    IdentityResult(proved by cancel)
    """
    lhs_, rhs_, conditions = _prepared(lhs, rhs, constraints, assumptions)

    def result(verdict, method, counterexample=()):
        return IdentityResult(lhs, rhs, verdict, method, tuple(counterexample), tuple(constraints))

    difference = lhs_ - rhs_
    if isinstance(difference, sp.MatrixBase):
        difference = difference.applyfunc(lambda e: e)
    method = _try_steps(difference, _CHEAP_STEPS)
    if method:
        return result("proved", method)
    solved = _solve_constraints(conditions)
    method = _prove_on_constraints(difference, solved)
    if method:
        return result("proved", method)
    counterexample = _probe(lhs_, rhs_, solved, conditions, np.random.default_rng(seed))
    if counterexample:
        return result("refuted", f"numeric probe at {PROBE_DIGITS} digits", counterexample)
    on_constraints = difference.subs(solved) if solved else difference
    method = _try_steps(on_constraints, _EXPENSIVE_STEPS)
    if method:
        return result("proved", method + _substitution_note(solved))
    return result("undecided", _tried(difference.has(sp.Sum)))


def _prepared(lhs, rhs, constraints, assumptions) -> tuple:
    """Both sides (lists become matrices; extra assumptions applied) and the constraints as
    expressions equal to zero."""
    replacement = _with_assumptions(assumptions)
    lhs_ = _as_comparable(lhs).xreplace(replacement)
    rhs_ = _as_comparable(rhs).xreplace(replacement)
    conditions = tuple(
        (
            (sp.sympify(c).lhs - sp.sympify(c).rhs) if isinstance(c, sp.Eq) else sp.sympify(c)
        ).xreplace(replacement)
        for c in constraints
    )
    return lhs_, _same_shape(lhs_, rhs_), conditions


def _same_shape(lhs, rhs):
    """``rhs`` reshaped like ``lhs`` when both are matrices with as many entries."""
    lhs_matrix, rhs_matrix = isinstance(lhs, sp.MatrixBase), isinstance(rhs, sp.MatrixBase)
    if lhs_matrix == rhs_matrix and (not lhs_matrix or lhs.shape == rhs.shape):
        return rhs
    if lhs_matrix and rhs_matrix and len(lhs) == len(rhs):
        return rhs.reshape(*lhs.shape)
    raise ValueError("lhs and rhs must both be scalars or both have the same number of entries")


def _solve_constraints(conditions) -> dict:
    """Solve each constraint for its last variable, substituting earlier solutions."""
    solved = {}
    for condition in conditions:
        solution = _solve_constraint(condition.subs(solved))
        if solution is None:
            raise ValueError(
                f"cannot solve the constraint {condition} = 0 for one of its variables"
            )
        symbol, value = solution
        solved = {s: v.subs(symbol, value) for s, v in solved.items()}
        solved[symbol] = value
    return solved


def _substitution_note(solved: dict) -> str:
    if not solved:
        return ""
    names = sorted(solved, key=_natural_key)
    return f" with {', '.join(f'{s} = {sp.sstr(solved[s])}' for s in names)}"


def _prove_on_constraints(difference, solved: dict) -> str | None:
    """The method that proves ``difference == 0`` on the constraints, or None.

    In turn: the cheap steps after substituting the solved constraints; the same after
    splitting logarithms *first* (``expand_log`` is sound while every symbol is still known to be
    positive; after substituting ``p_n = 1 - p_1 - ...`` it can no longer split ``log(p_1 p_n)``,
    which left e.g. the additivity of entropy on a 2 x 2 table undecided); the ``Sum`` steps.
    """
    note = _substitution_note(solved)
    on_constraints = difference.subs(solved) if solved else difference
    if solved:
        method = _try_steps(on_constraints, _CHEAP_STEPS)
        if method:
            return method + note
        split_first = _apply(difference, _split_logs).subs(solved)
        method = _try_steps(split_first, _CHEAP_STEPS)
        if method:
            return f"expand_log(force=False) before substituting, then {method}{note}"
    if difference.has(sp.Sum):
        method = _try_steps(on_constraints, _SUM_STEPS)
        if method:
            return method + note
    return None


def _split_logs(expr: sp.Expr) -> sp.Expr:
    return sp.expand(sp.expand_log(sp.expand(expr), force=False))


def _apply(expr, step: Callable):
    return expr.applyfunc(step) if isinstance(expr, sp.MatrixBase) else step(expr)


def _tried(has_sums: bool) -> str:
    return (
        "expand, expand_log, logcombine, cancel, powsimp, exp, "
        + ("Sum manipulation, " if has_sums else "")
        + f"simplify; no counterexample at {PROBE_POINTS} random points"
    )


# =============================================================================================
# check_numeric
# =============================================================================================
_BOUNDS = (1e-15, 1e-12, 1e-9, 1e-6, 1e-3, 1.0)


def coarse_bound(value: float) -> str:
    """Round a non-negative difference **up** to a coarse bound, for reproducible display.

    Parameters
    ----------
    value : float
        A non-negative difference (or nan).

    Returns
    -------
    str
        ``"< 1e-15"``, ``"< 1e-12"``, ``"< 1e-09"`` ... ``"< 1"``, ``">= 1"`` or ``"nan"``.

    See Also
    --------
    check_numeric : displays its differences this way.

    Notes
    -----
    Every value below ``1e-15``, zero included, shows as ``"< 1e-15"``: whether a difference is
    exactly zero or a few ulps depends on the CPU's vector paths, so the two are not told apart,
    and a notebook's stored output is the same on every machine.

    Examples
    --------
    >>> coarse_bound(0.0), coarse_bound(3e-16), coarse_bound(2e-13), coarse_bound(0.5)
    ('< 1e-15', '< 1e-15', '< 1e-12', '< 1')
    >>> coarse_bound(7.0), coarse_bound(float("nan"))
    ('>= 1', 'nan')
    """
    if math.isnan(value):
        return "nan"
    for bound in _BOUNDS:
        if value < bound:
            return f"< {bound:.0e}".replace("e-0", "e-").replace("1e+00", "1")
    return ">= 1"


@dataclass(frozen=True)
class NumericRow:
    """One case of a :class:`NumericCheck`: the largest absolute and relative differences.

    Attributes
    ----------
    case : str
        The case's name.
    max_abs, max_rel : float
        The largest absolute and relative differences (exact, not rounded).
    passed : bool
        Whether every entry agreed within the tolerances.

    See Also
    --------
    check_numeric

    Examples
    --------
    >>> NumericRow("small", 0.0, 0.0, True).passed
    True
    """

    case: str
    max_abs: float
    max_rel: float
    passed: bool


@dataclass(frozen=True)
class NumericCheck:
    """The table returned by :func:`check_numeric`: one :class:`NumericRow` per case.

    Attributes
    ----------
    rows : tuple of NumericRow
        One per case, with the exact differences for further assertions.
    rtol, atol : float
        The tolerances used.

    See Also
    --------
    check_numeric, coarse_bound

    Notes
    -----
    Displays (text and HTML) with the differences rounded up by :func:`coarse_bound`, so the
    output does not depend on the CPU. ``bool(check)`` is True when every case passed.

    Examples
    --------
    >>> check = NumericCheck((NumericRow("a", 0.0, 0.0, True),), 1e-10, 1e-12)
    >>> bool(check)
    True
    >>> check
    case  max |Δ|  max rel Δ  pass
    a     < 1e-15  < 1e-15    yes
    """

    rows: tuple
    rtol: float
    atol: float

    def __bool__(self) -> bool:
        return all(row.passed for row in self.rows)

    def _cells(self) -> list[tuple[str, str, str, str]]:
        return [
            (
                row.case,
                coarse_bound(row.max_abs),
                coarse_bound(row.max_rel),
                "yes" if row.passed else "NO",
            )
            for row in self.rows
        ]

    def __repr__(self) -> str:
        header = ("case", "max |Δ|", "max rel Δ", "pass")
        cells = [header] + self._cells()
        widths = [max(len(c[i]) for c in cells) for i in range(4)]
        lines = ["  ".join(c[i].ljust(widths[i]) for i in range(4)).rstrip() for c in cells]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{h}</th>" for h in ("case", "max |Δ|", "max rel Δ", "pass"))
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>"
            for cells in self._cells()
        )
        return (
            f'<table class="lossbook-numeric"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>"
        )


def _differences(got: np.ndarray, want: np.ndarray, rtol: float, atol: float):
    same_inf = np.isinf(got) & np.isinf(want) & (np.sign(got) == np.sign(want))
    both_nan = np.isnan(got) & np.isnan(want)
    agree = same_inf | both_nan
    with np.errstate(all="ignore"):
        delta = np.where(agree, 0.0, np.abs(got - want))
        scale = np.abs(np.where(agree, 1.0, want))
        rel = np.where(delta == 0, 0.0, np.where(scale > 0, delta / scale, np.inf))
        ok = agree | (delta <= atol + rtol * scale)
    delta = np.where(np.isnan(delta), np.inf, delta)
    rel = np.where(np.isnan(rel), np.inf, rel)
    return float(np.max(delta, initial=0.0)), float(np.max(rel, initial=0.0)), bool(np.all(ok))


def check_numeric(
    expr,
    variables,
    reference: Callable,
    cases: Mapping[str, tuple],
    rtol: float = 1e-10,
    atol: float = 1e-12,
) -> NumericCheck:
    r"""Compare a SymPy formula, lambdified, with a numeric ``reference`` on named cases.

    ``sp.lambdify(variables, expr, modules=["numpy"])`` and ``reference`` are both called with
    ``*cases[name]``; they agree when :math:`|\Delta| \le \text{atol} + \text{rtol}\,|\text{ref}|`
    entrywise (equal infinities and two NaNs count as agreement). Floating-point warnings are
    silenced during the evaluation: the comparison reports what matters.

    Parameters
    ----------
    expr : sympy.Expr, list of expressions or sympy.Matrix
    variables : list
        Items are symbols or sequences of symbols (one positional argument each), as for
        ``sympy.lambdify``.
    reference : callable
        A ``lossbook`` function (or a small wrapper) taking the same positional arguments.
    cases : mapping from str to tuple
        Case name → positional arguments. A result of the same size as the reference but
        another shape (a column ``Matrix``) is reshaped to the reference's shape.
    rtol : float, default 1e-10
        Relative tolerance.
    atol : float, default 1e-12
        Absolute tolerance.

    Returns
    -------
    NumericCheck
        One row per case; in a notebook a small table whose differences are rounded up to
        coarse bounds (see :func:`coarse_bound`) so that the output is the same on every CPU.

    Raises
    ------
    AssertionError
        Naming the cases where the two disagree.
    TypeError
        If a case's arguments are not a tuple.

    See Also
    --------
    check_identity : the symbolic half of the derive → verify bridge.
    random_cases, edge_logits, edge_simplex : seeded, named cases.

    Notes
    -----
    SymPy's expression is evaluated in float64 by NumPy, like the reference; the check is about
    agreement of formulas, not about accuracy (for that, compare with mpmath, as the tests do).

    Examples
    --------
    >>> import numpy as np, sympy as sp
    >>> from lossbook import symbolic as sym
    >>> z = sym.logits(3)
    >>> cases = {"small": (np.array([0.1, 0.2, 0.3]),), "spread": (np.array([-4.0, 0.0, 4.0]),)}
    >>> sym.check_numeric(sym.logsumexp(z), [z], lambda v: np.log(np.exp(v).sum()), cases)
    case    max |Δ|  max rel Δ  pass
    small   < 1e-15  < 1e-15    yes
    spread  < 1e-15  < 1e-15    yes
    """
    function = sp.lambdify(variables, expr, modules=["numpy"])
    rows, failures = [], []
    for name, arguments in cases.items():
        if not isinstance(arguments, tuple):
            raise TypeError(
                f"case {name!r}: arguments must be a tuple, got {type(arguments).__name__}"
            )
        with np.errstate(all="ignore"):
            got = np.asarray(function(*arguments), dtype=np.float64)
            want = np.asarray(reference(*arguments), dtype=np.float64)
        if got.shape != want.shape and got.size == want.size:
            got = got.reshape(want.shape)
        got, want = np.broadcast_arrays(got, want)
        max_abs, max_rel, passed = _differences(got, want, rtol, atol)
        rows.append(NumericRow(str(name), max_abs, max_rel, passed))
        if not passed:
            failures.append(f"{name!r} (max |Δ| = {max_abs:.3g}, max rel Δ = {max_rel:.3g})")
    if failures:
        raise AssertionError(
            f"formula and reference disagree (rtol={rtol:g}, atol={atol:g}) on "
            + "; ".join(failures)
        )
    return NumericCheck(tuple(rows), rtol, atol)


# =============================================================================================
# seeded cases
# =============================================================================================
def random_logits(rng: np.random.Generator, shape, scale: float = 3.0) -> np.ndarray:
    """Normal logits of the given shape with standard deviation ``scale``.

    Parameters
    ----------
    rng : numpy.random.Generator
        The seeded generator.
    shape : int or tuple of int
        The shape.
    scale : float, default 3.0
        The standard deviation.

    Returns
    -------
    numpy.ndarray

    See Also
    --------
    edge_logits, random_cases

    Examples
    --------
    >>> random_logits(np.random.default_rng(0), 3).shape
    (3,)
    """
    return rng.normal(scale=scale, size=shape)


def random_simplex(rng: np.random.Generator, n: int, size=None, alpha: float = 1.0) -> np.ndarray:
    """Points of the probability simplex: ``Dirichlet(alpha, ..., alpha)`` samples.

    Parameters
    ----------
    rng : numpy.random.Generator
        The seeded generator.
    n : int
        The number of outcomes.
    size : int or tuple of int, optional
        ``None`` (default) gives one vector of length ``n``; otherwise shape ``(*size, n)``.
    alpha : float, default 1.0
        The Dirichlet concentration: 1 is uniform on the simplex, small values give spiky
        vectors.

    Returns
    -------
    numpy.ndarray

    See Also
    --------
    edge_simplex, random_cases

    Examples
    --------
    >>> p = random_simplex(np.random.default_rng(0), 4)
    >>> p.shape, bool(abs(p.sum() - 1) < 1e-12), bool((p > 0).all())
    ((4,), True, True)
    """
    return rng.dirichlet(np.full(n, alpha), size=size)


def random_cases(
    rng: np.random.Generator, make: Callable, count: int = 3, name: str = "random"
) -> dict:
    """``count`` named cases ``{"random 1": make(rng), ...}`` for :func:`check_numeric`.

    Parameters
    ----------
    rng : numpy.random.Generator
        The seeded generator, passed to ``make``.
    make : callable
        ``make(rng)`` returns the arguments of one case (a tuple, or one argument).
    count : int, default 3
        The number of cases.
    name : str, default "random"
        The cases' name, numbered from 1.

    Returns
    -------
    dict of str to tuple

    See Also
    --------
    check_numeric

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> cases = random_cases(rng, lambda r: (random_simplex(r, 3), random_simplex(r, 3)))
    >>> list(cases)
    ['random 1', 'random 2', 'random 3']
    """
    cases = {}
    for k in range(1, count + 1):
        arguments = make(rng)
        cases[f"{name} {k}"] = arguments if isinstance(arguments, tuple) else (arguments,)
    return cases


def edge_logits(n: int) -> dict[str, np.ndarray]:
    """Named logit vectors of length ``n`` where naive formulas break.

    Parameters
    ----------
    n : int
        The length.

    Returns
    -------
    dict of str to numpy.ndarray
        ``"equal"`` (all zero), ``"one dominant"`` (one logit 30 above the rest), ``"large"``
        (around +500: ``exp`` near overflow), ``"very negative"`` (around -500: underflow),
        ``"wide range"`` (from -50 to 50).

    See Also
    --------
    random_logits, edge_simplex

    Examples
    --------
    >>> sorted(edge_logits(3))
    ['equal', 'large', 'one dominant', 'very negative', 'wide range']
    """
    steps = np.arange(n, dtype=np.float64)
    return {
        "equal": np.zeros(n),
        "one dominant": np.where(steps == 0, 30.0, 0.0),
        "large": 500.0 - steps,
        "very negative": -500.0 + steps,
        "wide range": np.linspace(-50.0, 50.0, n),
    }


def edge_simplex(n: int) -> dict[str, np.ndarray]:
    """Named strictly positive probability vectors of length ``n`` (``n >= 2``).

    Parameters
    ----------
    n : int
        The length, at least 2.

    Returns
    -------
    dict of str to numpy.ndarray
        ``"uniform"``, ``"near one-hot"`` (mass ``1e-9`` spread over the other entries),
        ``"tiny entry"`` (one entry ``1e-300``, the rest equal).

    Raises
    ------
    ValueError
        If ``n < 2``.

    See Also
    --------
    random_simplex, edge_logits

    Examples
    --------
    >>> {k: round(float(v.sum()), 12) for k, v in edge_simplex(3).items()}
    {'uniform': 1.0, 'near one-hot': 1.0, 'tiny entry': 1.0}
    """
    if n < 2:
        raise ValueError(f"n must be at least 2, got {n}")
    near = np.full(n, 1e-9 / (n - 1))
    near[0] = 1.0 - 1e-9
    tiny = np.full(n, (1.0 - 1e-300) / (n - 1))
    tiny[-1] = 1e-300
    return {"uniform": np.full(n, 1.0 / n), "near one-hot": near, "tiny entry": tiny}
