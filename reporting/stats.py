"""Small statistics for pass rates: Wilson intervals, two-proportion and McNemar tests."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from reporting.text import p_number

REGRESSED = "regressed"
IMPROVED = "improved"
WITHIN_NOISE = "within noise"
# How a list of changes is ordered: real regressions first, improvements last.
CHANGE_RANK: dict[str, int] = {REGRESSED: 0, WITHIN_NOISE: 1, IMPROVED: 2}

# Below this many discordant pairs the chi-square approximation is poor (Rosner 2015 / the
# usual textbook rule), so McNemar falls back to the exact binomial test.
MCNEMAR_EXACT_BELOW = 25


def wilson_interval(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval for successes out of n; (nan, nan) when n is 0."""
    if n <= 0:
        return (math.nan, math.nan)
    p = successes / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    # The bounds are exactly 0 and 1 at the extremes; float arithmetic lands a hair off.
    low = 0.0 if successes <= 0 else max(0.0, centre - half)
    high = 1.0 if successes >= n else min(1.0, centre + half)
    return (low, high)


def wilson_bounds(
    successes: pd.Series | np.ndarray, n: pd.Series | np.ndarray | int, z: float = 1.96
) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised Wilson interval: (low, high) float arrays, nan where n is 0."""
    x = np.asarray(successes, dtype=float)
    size = np.broadcast_to(np.asarray(n, dtype=float), x.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / size
        z2 = z * z
        denom = 1.0 + z2 / size
        centre = (p + z2 / (2 * size)) / denom
        half = z / denom * np.sqrt(p * (1 - p) / size + z2 / (4 * size * size))
        low = np.where(x <= 0, 0.0, np.clip(centre - half, 0.0, 1.0))
        high = np.where(x >= size, 1.0, np.clip(centre + half, 0.0, 1.0))
    empty = ~(size > 0)
    low[empty] = np.nan
    high[empty] = np.nan
    return low, high


def _normal_two_sided(z: float) -> float:
    """Two-sided tail probability of a standard normal beyond |z|."""
    return math.erfc(abs(z) / math.sqrt(2.0))


def two_proportion_test(x1: float, n1: float, x2: float, n2: float) -> float:
    """Two-sided p-value of the pooled two-proportion z test; nan when undefined."""
    if not (n1 > 0 and n2 > 0):
        return math.nan
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if not se > 0:
        # Every trial succeeded (or none did): no variance, so the statistic is 0/0.
        return math.nan
    return _normal_two_sided((x1 / n1 - x2 / n2) / se)


def chi2_sf_1df(statistic: float) -> float:
    """Survival function of chi-square with 1 degree of freedom (no scipy needed)."""
    if statistic <= 0:
        return 1.0
    # With 1 df, X = Z², so P(X > x) = P(|Z| > √x) = erfc(√(x/2)).
    return math.erfc(math.sqrt(statistic / 2.0))


def mcnemar_test(b: int, c: int) -> float:
    """Two-sided McNemar p-value: exact binomial below 25 discordant pairs, else chi-square."""
    b, c = int(b), int(c)
    n = b + c
    if n == 0:
        return 1.0  # no discordant pairs: no evidence of any change
    if n < MCNEMAR_EXACT_BELOW:
        k = min(b, c)
        tail = sum(math.comb(n, i) for i in range(k + 1)) / 2.0**n
        return min(1.0, 2.0 * tail)
    # Edwards' continuity correction, floored at 0 as R's mcnemar.test does when b == c.
    statistic = max(0, abs(b - c) - 1) ** 2 / n
    return chi2_sf_1df(statistic)


def classify_change(p_value: float, delta: float, alpha: float = 0.05) -> str:
    """'regressed', 'improved' or 'within noise' from a p-value and the signed change."""
    if pd.isna(p_value) or pd.isna(delta) or p_value >= alpha or delta == 0:
        return WITHIN_NOISE
    return REGRESSED if delta < 0 else IMPROVED


def p_label(p: float | None) -> str:
    """A p-value as a table cell: '0.125', '< 0.001', or an em dash when unknown."""
    return p_number(p)  # one format on every page and in every report (reporting.text)
