"""Library-backed statistics: split R-hat, BCa bootstrap, Wilson intervals, detrending.

References are independent of the code under test: values computed with ArviZ
(``arviz_stats.base.array_stats.rhat(method="rank")``, arviz-stats 0.8.0, run
once outside the test suite on the same seeded draws), closed-form formulas,
``numpy.polyfit`` and coverage over simulated data with a known truth.
"""

import math
import warnings

import numpy as np
import pytest
from scipy.special import ndtr

from theory._bootstrap import bootstrap_interval
from theory.effective import ArithmeticTask, critical_curve
from theory.spectral.preprocess import preprocess_window
from theory.spectral.roc import bootstrap_auroc_ci
from validation._stats import split_rhat
from validation.adaptive_kernel.transition import _onset_bootstrap, _rhat


# -- R-hat -----------------------------------------------------------------------------------
def _rhat_cases():
    rng = np.random.default_rng(2021)
    return {
        "iid": rng.normal(size=(200, 4)),
        "shifted": rng.normal(size=(200, 4)) + np.array([0, 0, 0, 1.0]),
        "scaled": rng.normal(size=(201, 3)) * np.array([1, 1, 4.0]),      # odd T, tail R-hat
        "trend": np.cumsum(rng.normal(size=(150, 2)), axis=0),
        "cauchy": rng.standard_cauchy(size=(100, 4)),
        "ties": rng.integers(0, 3, size=(60, 2)).astype(float),
    }


# ArviZ's rank-normalised split R-hat of the cases above (draws generated in this order)
ARVIZ_RHAT = {
    "iid": 0.9970310992172486,
    "shifted": 1.0885638778501265,
    "scaled": 1.206136789129919,
    "trend": 2.301986465544972,
    "cauchy": 1.004202791433412,
    "ties": 1.0410516448336389,
}


def test_split_rhat_matches_arviz():
    for name, x in _rhat_cases().items():
        assert split_rhat(x) == pytest.approx(ARVIZ_RHAT[name], rel=1e-12, abs=1e-12), name


def test_split_rhat_sees_what_classic_rhat_misses():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(400, 4))
    x[:, 3] *= 5.0                      # same location, different scale: classic R-hat ~ 1
    means, w = x.mean(axis=0), x.var(axis=0, ddof=1).mean()
    classic = math.sqrt(((399 / 400) * w + 400 * means.var(ddof=1) / 400) / w)
    assert classic < 1.02
    assert split_rhat(x) > 1.05         # the folded (tail) R-hat sees the scale difference


def test_split_rhat_undefined_cases_and_alias():
    assert math.isnan(split_rhat(np.ones((50, 3))))
    assert math.isnan(split_rhat(np.zeros((3, 2))))
    assert math.isnan(split_rhat(np.random.default_rng(0).normal(size=(50, 1))))
    with pytest.raises(ValueError, match="chains"):
        split_rhat(np.zeros(10))
    assert _rhat is split_rhat           # transition.py's name still works for its callers


# -- bootstrap -------------------------------------------------------------------------------
def _pairwise_auroc(pos, neg):
    return float(np.mean((pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])))


def test_auroc_bca_covers_the_true_auroc():
    # scores ~ N(d, 1) vs N(0, 1): AUROC = Phi(d / sqrt 2).  Over 120 independent data sets
    # the 90% interval must cover it about 90% of the time: binomial sd of the coverage is
    # sqrt(.9 .1 / 120) = 0.027, so [0.80, 0.98] is a +-3.7 sd band.
    d, truth, hits = 1.0, float(ndtr(1.0 / math.sqrt(2))), 0
    rng = np.random.default_rng(7)
    for k in range(120):
        s = np.r_[rng.normal(d, 1, 25), rng.normal(0, 1, 25)]
        y = np.r_[np.ones(25), np.zeros(25)]
        ci = bootstrap_auroc_ci(s, y, n_boot=400, level=0.9, seed=k)
        assert ci.estimate == pytest.approx(_pairwise_auroc(s[:25], s[25:]), rel=1e-12)
        hits += ci.low <= truth <= ci.high
        assert ci.method == "stratified bootstrap, BCa"
    assert 0.80 <= hits / 120 <= 0.98


def test_auroc_ci_degenerate_sample_falls_back_to_percentile_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ci = bootstrap_auroc_ci([5, 6, 7, 8, 1, 2, 3], [1, 1, 1, 1, 0, 0, 0], n_boot=300, seed=0)
    assert (ci.estimate, ci.low, ci.high) == (1.0, 1.0, 1.0)
    assert "percentile" in ci.method and "degenerate" in ci.method


def test_auroc_ci_is_reproducible_and_seeded():
    s, y = [5, 4, 3, 2.5, 2, 1, 0.5, 3.5], [1, 1, 0, 1, 0, 0, 0, 1]
    a, b = bootstrap_auroc_ci(s, y, seed=3), bootstrap_auroc_ci(s, y, seed=3)
    assert a == b
    assert bootstrap_auroc_ci(s, y, seed=4) != a


def test_bootstrap_interval_counts_failed_replicates():
    x = np.arange(10.0)

    def stat(v):
        return np.nan if v.min() == 0 else v.mean()      # fails when 0 is resampled

    ci = bootstrap_interval((x,), stat, n_resamples=1000, level=0.9, seed=1)
    # P(0 drawn in 10 draws) = 1 - 0.9**10 = 0.651; binomial sd over 1000 is 0.015
    assert abs(ci.failed / 1000 - 0.651) < 0.06
    assert ci.method.startswith("percentile (") and str(ci.failed) in ci.method


def test_onset_bootstrap_reports_failed_resamples():
    sigma2 = np.array([0.10, 0.12, 0.14, 0.16, 0.2])
    good = 1.0 - 4.0 * sigma2           # onset at 0.25
    bad = 0.1 + 2.0 * sigma2            # grows with the noise: no onset
    # with two sets, a resample is {good, good}, {bad, bad} or mixed (mean 0.55 - sigma2:
    # defined); {bad, bad} has probability 1/4, binomial sd over 800 resamples 0.015
    out = _onset_bootstrap(sigma2, np.stack([good, bad], axis=1), resamples=800, seed=0)
    assert abs(out["failed"] / 800 - 0.25) < 0.06
    assert "percentile" in out["method"]
    assert out["ci_low"] <= 0.25 <= out["ci_high"] + 1e-9


# -- Wilson interval ---------------------------------------------------------------------------
def _wilson_by_hand(k, n, z=1.959963984540054):
    centre = (k + z * z / 2) / (n + z * z)
    half = z / (n + z * z) * math.sqrt(k * (n - k) / n + z * z / 4)
    return centre - half, centre + half


def test_critical_curve_wilson_interval():
    curve = critical_curve(ArithmeticTask(6), train_sizes=[4, 8, 12], trials=200, seed=0)
    for i in range(3):
        if curve.exact[i]:
            assert curve.ci_low[i] == curve.ci_high[i] == curve.p_forced[i]
            continue
        k = round(curve.p_forced[i] * 200)
        lo, hi = _wilson_by_hand(k, 200)
        assert (curve.ci_low[i], curve.ci_high[i]) == pytest.approx((lo, hi), rel=1e-9)
        assert 0.0 <= curve.ci_low[i] <= curve.p_forced[i] <= curve.ci_high[i] <= 1.0
    d = curve.to_dict()
    assert len(d["ci_low"]) == 3 and d["stderr"] == pytest.approx(list(curve.stderr))


# -- detrending --------------------------------------------------------------------------------
def test_detrend_removes_the_least_squares_line():
    rng = np.random.default_rng(0)
    x = 3.0 + 0.02 * np.arange(300) + rng.normal(size=300)
    t = np.arange(300.0)
    slope, icpt = np.polyfit(t, x, 1)
    got = preprocess_window(x, preprocess="detrend")
    np.testing.assert_allclose(got, x - (icpt + slope * t), atol=1e-10)
