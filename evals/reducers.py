"""How a metric aggregates the observations of a set of questions into one value.

Arrays are shaped ``(..., questions, width)``, NaN rows being "not applicable", so the same
function serves the point estimate and the bootstrap.
"""

from __future__ import annotations

import numpy as np

from evals.stats import Reducer


def mean(obs: np.ndarray) -> np.ndarray:
    return np.nanmean(obs[..., 0], axis=-1)


def count(obs: np.ndarray) -> np.ndarray:
    col = obs[..., 0]
    return np.where(np.isnan(col).all(axis=-1), np.nan, np.nansum(col, axis=-1))


def percentile(q: float) -> Reducer:
    """Linear-interpolated percentile ignoring NaN, like np.nanpercentile but vectorised.

    np.nanpercentile loops over the 1000 bootstrap rows in Python; sorting once is ~100x faster.
    """

    def reduce(obs: np.ndarray) -> np.ndarray:
        values = obs[..., 0]
        ordered = np.sort(values, axis=-1)  # NaN sorts last
        n = (~np.isnan(values)).sum(axis=-1)
        pos = np.maximum(n - 1, 0) * q / 100
        lo, hi = np.floor(pos).astype(int), np.ceil(pos).astype(int)
        low = np.take_along_axis(ordered, lo[..., None], axis=-1)[..., 0]
        high = np.take_along_axis(ordered, hi[..., None], axis=-1)[..., 0]
        return np.where(n > 0, low + (high - low) * (pos - lo), np.nan)

    return reduce


def _confusion(obs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """True positives, false positives, false negatives; positive = abstained, unanswerable."""
    unanswerable, abstained = obs[..., 0], obs[..., 1]
    tp = np.nansum(unanswerable * abstained, axis=-1)
    fp = np.nansum((1 - unanswerable) * abstained, axis=-1)
    fn = np.nansum(unanswerable * (1 - abstained), axis=-1)
    return tp, fp, fn


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return np.divide(num, den, out=np.full(np.shape(num), np.nan), where=den > 0)


def precision(obs: np.ndarray) -> np.ndarray:
    tp, fp, _ = _confusion(obs)
    return _ratio(tp, tp + fp)


def recall(obs: np.ndarray) -> np.ndarray:
    tp, _, fn = _confusion(obs)
    return _ratio(tp, tp + fn)


def f1(obs: np.ndarray) -> np.ndarray:
    # Undefined without unanswerable questions, even when there are (false) abstentions.
    tp, fp, fn = _confusion(obs)
    return np.where(tp + fn > 0, _ratio(2 * tp, 2 * tp + fp + fn), np.nan)


def abstentions(obs: np.ndarray) -> int:
    return int(np.nansum(obs[:, 1]))


def unanswerable(obs: np.ndarray) -> int:
    return int(np.nansum(obs[:, 0]))
