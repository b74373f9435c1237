"""Bootstrap confidence intervals, plain and paired, with a fixed seed so runs are reproducible."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np

SEED = 20240611
RESAMPLES = 1000
Reducer = Callable[[np.ndarray], np.ndarray]


def _interval(stats: np.ndarray) -> tuple[float | None, float | None]:
    stats = stats[~np.isnan(stats)]
    if stats.size == 0:
        return None, None
    low, high = np.percentile(stats, [2.5, 97.5])
    return float(low), float(high)


def bootstrap_ci(
    obs: np.ndarray, reduce: Reducer, seed: int = SEED, resamples: int = RESAMPLES
) -> tuple[float | None, float | None]:
    """95% percentile interval of ``reduce`` over ``resamples`` resamples of the rows of ``obs``.

    ``obs`` has one row per question (NaN rows: metric not applicable to that question), so a
    resample keeps the question mix random the way a new dataset of the same size would.
    """
    if obs.shape[0] == 0:
        return None, None
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, obs.shape[0], size=(resamples, obs.shape[0]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return _interval(reduce(obs[idx]))


def paired_bootstrap_ci(
    obs_a: np.ndarray,
    obs_b: np.ndarray,
    reduce: Reducer,
    seed: int = SEED,
    resamples: int = RESAMPLES,
) -> tuple[float | None, float | None]:
    """95% interval of ``reduce(b) - reduce(a)`` resampling the same questions in both runs.

    Row i of ``obs_a`` and ``obs_b`` must be the same question (paired on question id).
    """
    if obs_a.shape[0] != obs_b.shape[0]:
        raise ValueError("paired observations need the same questions in the same order")
    if obs_a.shape[0] == 0:
        return None, None
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, obs_a.shape[0], size=(resamples, obs_a.shape[0]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return _interval(reduce(obs_b[idx]) - reduce(obs_a[idx]))
