"""One thread and one timer for every benchmark.

Import this module before NumPy (and PyTorch): the BLAS and OpenMP libraries read their thread
counts when they are first loaded, so setting the variables afterwards changes nothing.
"""

from __future__ import annotations

import math
import os
import timeit

for _variable in (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "BLIS_NUM_THREADS",
):
    os.environ[_variable] = "1"

MIN_TIME = 0.05
"""Seconds per timed repeat: fast calls are batched up to this."""
REPEATS = 5
"""Best of this many repeats (of 3 when one call alone takes longer than MIN_TIME)."""


def best_time(call) -> float:
    """Best seconds per call over REPEATS repeats of a batch lasting about MIN_TIME; the first,
    single call is also the warm-up."""
    timer = timeit.Timer(call)
    single = timer.timeit(number=1)
    number = max(1, math.ceil(MIN_TIME / max(single, 1e-7)))
    repeats = REPEATS if number > 1 else 3
    return min(timer.repeat(repeat=repeats, number=number)) / number
