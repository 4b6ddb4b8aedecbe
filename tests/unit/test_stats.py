"""Intervals and tests in reporting.stats against published and hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reporting.stats import (
    chi2_sf_1df,
    classify_change,
    mcnemar_test,
    two_proportion_test,
    wilson_bounds,
    wilson_interval,
)


# Newcombe RG (1998), "Two-sided confidence intervals for the single proportion: comparison of
# seven methods", Stat Med 17:857-872, Table I, method 3 (Wilson score, no continuity
# correction). 8/10 is the example in Wikipedia's "Binomial proportion confidence interval".
@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        (8, 10, 0.4902, 0.9433),
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_interval_matches_published_values(successes, n, low, high):
    got_low, got_high = wilson_interval(successes, n)
    assert got_low == pytest.approx(low, abs=5e-5)
    assert got_high == pytest.approx(high, abs=5e-5)


def test_wilson_interval_of_all_successes_mirrors_no_successes():
    low, high = wilson_interval(29, 29)
    mirror_low, mirror_high = wilson_interval(0, 29)
    assert high == 1.0
    assert low == pytest.approx(1 - mirror_high)
    assert mirror_low == 0.0


def test_wilson_interval_of_nothing_is_nan():
    low, high = wilson_interval(0, 0)
    assert math.isnan(low) and math.isnan(high)


def test_a_wider_z_gives_a_wider_interval():
    narrow = wilson_interval(8, 10, z=1.0)
    wide = wilson_interval(8, 10, z=2.576)
    assert wide[0] < narrow[0] and wide[1] > narrow[1]


def test_wilson_bounds_agrees_with_the_scalar_version_and_marks_empty_groups():
    successes = np.array([8, 81, 0, 0, 29])
    n = np.array([10, 263, 20, 0, 29])
    low, high = wilson_bounds(successes, n)
    for i in range(4):
        if n[i] == 0:
            assert math.isnan(low[i]) and math.isnan(high[i])
        else:
            assert (low[i], high[i]) == pytest.approx(wilson_interval(successes[i], n[i]))
    assert high[4] == 1.0


def test_wilson_bounds_takes_a_scalar_n():
    low, high = wilson_bounds(np.array([1, 2]), 4)
    assert low[1] == pytest.approx(wilson_interval(2, 4)[0])
    assert high[0] == pytest.approx(wilson_interval(1, 4)[1])


@given(st.integers(min_value=1, max_value=10_000), st.data())
def test_wilson_interval_contains_the_observed_rate(n, data):
    successes = data.draw(st.integers(min_value=0, max_value=n))
    low, high = wilson_interval(successes, n)
    assert 0.0 <= low <= successes / n <= high <= 1.0


def test_two_proportion_test_matches_the_pooled_z_formula():
    # 8/10 vs 2/10: pooled p = 0.5, se = sqrt(0.25 * 0.2) = 0.2236, z = 0.6 / 0.2236 = 2.683,
    # two-sided p = erfc(2.683 / sqrt 2) = 0.00729 (scipy: 2 * norm.sf(2.683) = 0.0072904).
    assert two_proportion_test(8, 10, 2, 10) == pytest.approx(0.0072904, abs=1e-6)
    assert two_proportion_test(2, 10, 8, 10) == pytest.approx(two_proportion_test(8, 10, 2, 10))


def test_two_proportion_test_of_equal_rates_is_one():
    assert two_proportion_test(30, 60, 50, 100) == pytest.approx(1.0)


@pytest.mark.parametrize(("x1", "n1", "x2", "n2"), [(0, 0, 3, 10), (3, 10, 0, 0), (10, 10, 5, 5)])
def test_two_proportion_test_is_nan_when_undefined(x1, n1, x2, n2):
    assert math.isnan(two_proportion_test(x1, n1, x2, n2))


def test_chi_square_survival_gives_five_percent_at_the_textbook_critical_value():
    assert chi2_sf_1df(3.841458820694124) == pytest.approx(0.05, abs=1e-12)
    assert chi2_sf_1df(0.0) == 1.0


def test_mcnemar_exact_for_ten_against_two():
    # Exact binomial: 2 * P(X <= 2 | n = 12, p = 1/2) = 2 * (1 + 12 + 66) / 4096 = 0.0385742.
    assert mcnemar_test(10, 2) == pytest.approx(2 * 79 / 4096, rel=1e-12)
    assert mcnemar_test(10, 2) == pytest.approx(0.0386, abs=1e-4)


def test_mcnemar_exact_for_six_against_sixteen():
    # 2 * sum_{i<=6} C(22, i) / 2^22 = 2 * 110056 / 4194304 = 0.05248 (scipy binomtest agrees);
    # the chi-square with correction would say 0.0550, which is why small samples go exact.
    assert mcnemar_test(6, 16) == pytest.approx(2 * 110056 / 2**22, rel=1e-12)


def test_mcnemar_chi_square_with_continuity_correction_for_twenty_five_against_nine():
    # b + c = 34 >= 25: chi2 = (|25 - 9| - 1)^2 / 34 = 6.6176, p = 0.0100973
    # (scipy.stats.chi2.sf(225 / 34, 1) = 0.010097314647507).
    assert mcnemar_test(25, 9) == pytest.approx(0.0100973146, rel=1e-8)


def test_mcnemar_on_agrestis_presidential_approval_table():
    # Agresti (2007), An Introduction to Categorical Data Analysis, 2nd ed., sec. 8.1: approval
    # ratings 794 / 150 / 86 / 570. With the correction: (|150 - 86| - 1)^2 / 236 = 16.818,
    # p = 4.1146e-05 (scipy.stats.chi2.sf(63**2 / 236, 1)).
    assert mcnemar_test(150, 86) == pytest.approx(4.1145622813e-05, rel=1e-8)


@pytest.mark.parametrize(("b", "c"), [(0, 0), (5, 5), (30, 30)])
def test_mcnemar_without_imbalance_is_one(b, c):
    assert mcnemar_test(b, c) == pytest.approx(1.0)


@pytest.mark.parametrize(("b", "c"), [(10, 2), (25, 9), (0, 7), (40, 3)])
def test_mcnemar_is_symmetric(b, c):
    assert mcnemar_test(b, c) == mcnemar_test(c, b)


@pytest.mark.parametrize(
    ("p_value", "delta", "expected"),
    [
        (0.01, -0.2, "regressed"),
        (0.01, 0.2, "improved"),
        (0.2, -0.2, "within noise"),
        (0.05, -0.2, "within noise"),
        (0.01, 0.0, "within noise"),
        (math.nan, -0.5, "within noise"),
        (0.001, math.nan, "within noise"),
    ],
)
def test_classify_change(p_value, delta, expected):
    assert classify_change(p_value, delta) == expected


def test_classify_change_honours_alpha():
    assert classify_change(0.03, -0.1, alpha=0.01) == "within noise"
    assert classify_change(0.03, -0.1, alpha=0.05) == "regressed"
