"""Pure-math part of the spectral grokking predictor (theory.spectral)."""

import dataclasses
import json
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from theory._checks import AssumptionWarning
from theory.spectral import (
    SpectralConfig,
    SpectralPredictor,
    auroc,
    band_energies,
    bootstrap_auroc_ci,
    compute_saved,
    evaluate,
    extract_window,
    fit_predictor,
    fit_threshold,
    highpass_cutoff_bin,
    hjorth_frequency,
    hjorth_paper,
    hjorth_time,
    low_frequency_energy,
    power_spectrum,
    preprocess_window,
    roc_curve,
    spectral_moments,
    window_features,
)

EPS = np.finfo(np.float64).eps

# Values on a 1e-6 grid in [-1e3, 1e3]: loss-like magnitudes.  (Amplitudes below
# ~1e-154 square into subnormals, where no relative tolerance can hold.)
windows = arrays(
    np.float64,
    st.integers(2, 300),
    elements=st.integers(-10**9, 10**9).map(lambda i: i / 1e6),
)


# --------------------------------------------------------------------------- Parseval

@settings(max_examples=200, deadline=None)
@given(windows, st.sampled_from(["mean", "detrend", "none"]))
def test_activity_is_variance_parseval(x, mode):
    xt = preprocess_window(x, preprocess=mode)
    for h in (hjorth_frequency(xt, kernel="omega"), hjorth_frequency(xt, kernel="difference"),
              hjorth_paper(xt)):
        # Parseval is exact; the FFT's round-off is ~ eps log2(N) relative to
        # sum(x~^2), so 1e-12 of mean(x~^2) is a ~5000 eps margin.
        assert abs(h.activity - np.var(xt)) <= 1e-12 * np.mean(xt**2)
    omega, power = power_spectrum(xt)
    assert omega[-1] <= np.pi
    assert abs(power.sum() - np.mean(xt**2)) <= 1e-12 * np.mean(xt**2)


@pytest.mark.parametrize("n,k,amp,phase", [(400, 3, 0.7, 0.3), (64, 1, 2.0, 0.0),
                                           (101, 50, 1e-3, 1.1), (20, 7, 5.0, -2.0)])
def test_sinusoid_activity_is_half_amplitude_squared(n, k, amp, phase):
    t = np.arange(n)
    omega = 2 * np.pi * k / n  # integer number of periods, below Nyquist
    x = 3.0 + amp * np.cos(omega * t + phase)
    xt = preprocess_window(x, preprocess="mean")
    expected = amp**2 / 2
    # pure round-off: sum of n cos^2 terms and an FFT, ~n eps relative at most
    assert hjorth_frequency(xt).activity == pytest.approx(expected, rel=1e-12)
    assert hjorth_time(xt).activity == pytest.approx(expected, rel=1e-12)
    # standard complexity of a pure tone is 1; paper's mobility and complexity are omega
    paper = hjorth_paper(xt)
    assert paper.mobility == pytest.approx(omega, rel=1e-12)
    assert paper.complexity == pytest.approx(omega, rel=1e-12)
    assert hjorth_frequency(xt, kernel="omega").complexity == pytest.approx(1.0, rel=1e-10)
    # the exact finite-difference symbol: mobility = 2 sin(omega / 2)
    mobility = hjorth_frequency(xt, kernel="difference").mobility
    assert mobility == pytest.approx(2 * np.sin(omega / 2), rel=1e-12)


@pytest.mark.parametrize("n,a,b", [(400, 2.0, -0.003), (2, 1.0, 5.0), (1000, -7.0, 1e3),
                                   (37, 0.1, 1e-9)])
def test_ramp_has_zero_activity_after_detrend(n, a, b):
    x = a + b * np.arange(n)
    xt = preprocess_window(x, preprocess="detrend")
    scale = np.max(np.abs(x))
    # The line is removed exactly in exact arithmetic; each residual is a few
    # roundings of numbers of size <= scale, so |x~| <= 100 eps scale (generous).
    assert np.max(np.abs(xt)) <= 100 * EPS * scale
    assert hjorth_frequency(xt).activity <= (100 * EPS * scale) ** 2
    assert np.array_equal(preprocess_window(x, preprocess="linear"), xt)
    # without detrending the ramp is all activity: var of a + b t is b^2 (n^2 - 1) / 12
    activity = hjorth_frequency(preprocess_window(x)).activity
    assert activity == pytest.approx(b**2 * (n**2 - 1) / 12, rel=1e-10)


# ----------------------------------------------------------- time vs frequency forms

@settings(max_examples=200, deadline=None)
@given(arrays(np.float64, st.integers(3, 200),
              elements=st.integers(-10**7, 10**7).map(lambda i: i / 1e6)))
def test_frequency_difference_kernel_equals_circular_finite_differences(x):
    xt = preprocess_window(x, preprocess="mean")
    f = hjorth_frequency(xt, kernel="difference")
    t = hjorth_time(xt, difference="circular")
    m0, m2, m4 = spectral_moments(xt, (0, 2, 4), kernel="difference")
    if np.ptp(xt) == 0:
        assert (f.activity, f.mobility, f.complexity) == (0.0, 0.0, 0.0)
        return
    d1 = xt - np.roll(xt, 1)
    d2 = d1 - np.roll(d1, 1)
    # Both sides round at the level eps * |x|, not eps * |x'|: compare moments
    # relative to the largest scale they can carry, 16 mean(x^2) (|w|^4 <= 16).
    scale = 16 * np.mean(xt**2)
    assert abs(m2 - np.var(d1)) <= 1e-12 * scale
    assert abs(m4 - np.var(d2)) <= 1e-12 * scale
    if m2 > 1e-6 * scale:  # derivative well above round-off: ratios agree to ~1e-12
        assert f.mobility == pytest.approx(t.mobility, rel=1e-11)
        assert f.complexity == pytest.approx(t.complexity, rel=1e-11)


def test_frequency_difference_kernel_equals_time_on_random_signals():
    rng = np.random.default_rng(12345)
    for n in (2, 3, 16, 101, 400):
        x = rng.normal(size=n)
        f = hjorth_frequency(x, kernel="difference")
        t = hjorth_time(x, difference="circular")
        # white noise: m0, m2, m4 all O(1), so only FFT round-off ~ eps log2 N
        assert f.activity == pytest.approx(t.activity, rel=1e-12)
        assert f.mobility == pytest.approx(t.mobility, rel=1e-12)
        assert f.complexity == pytest.approx(t.complexity, rel=1e-12)


def test_omega_kernel_approximates_finite_differences_for_smooth_signals():
    n = 400
    t = np.arange(n)
    ks = np.array([1, 2, 5, 9])
    x = sum(np.cos(2 * np.pi * k * t / n + k) / k for k in ks)
    w_max = 2 * np.pi * ks.max() / n
    paper = hjorth_frequency(x, kernel="omega")
    circ = hjorth_time(x, difference="circular")
    lin = hjorth_time(x, difference="linear")
    # 4 sin^2(w/2) in [w^2 (1 - w^2/12), w^2]  =>  M_diff / M_omega in [1 - w_max^2/12, 1]
    ratio = circ.mobility / paper.mobility
    assert 1 - w_max**2 / 12 - 1e-12 <= ratio <= 1 + 1e-12
    assert ratio < 1  # and the bias is real, not zero
    # linear (np.diff) differences drop one wrap-around term out of N: O(1/N) change
    assert lin.mobility == pytest.approx(circ.mobility, rel=5.0 / n)


def test_linear_hjorth_hand_example():
    x = np.array([1.0, 3.0, 2.0, 5.0])
    # by hand: var(x) = 35/16, diff = [2, -1, 3] -> var 26/9, diff2 = [-3, 4] -> var 49/4
    h = hjorth_time(x)
    assert h.definition == "time/linear"
    assert h.activity == pytest.approx(35 / 16, rel=1e-15)  # a handful of roundings
    mob = math.sqrt((26 / 9) / (35 / 16))
    assert h.mobility == pytest.approx(mob, rel=1e-14)
    assert h.complexity == pytest.approx(math.sqrt((49 / 4) / (26 / 9)) / mob, rel=1e-14)


def test_paper_complexity_is_standard_times_mobility():
    x = np.random.default_rng(3).normal(size=128).cumsum()
    xt = preprocess_window(x, preprocess="detrend")
    std = hjorth_frequency(xt, kernel="omega")
    pap = hjorth_paper(xt)
    assert pap.definition == "frequency/omega/paper"
    assert (pap.activity, pap.mobility) == (std.activity, std.mobility)
    # C_paper = sqrt(m4/m2) = C_std * M: same three moments, a few roundings
    assert pap.complexity == pytest.approx(std.complexity * std.mobility, rel=1e-13)


@pytest.mark.parametrize("n", [2, 3, 7, 64])
@pytest.mark.parametrize("value", [0.0, 0.1, -3e5])
def test_constant_window_gives_zeros_not_nan(n, value):
    x = np.full(n, value)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for mode in ("none", "mean", "detrend"):
            xt = preprocess_window(x, preprocess=mode)
            for h in (
                hjorth_time(xt),
                hjorth_time(xt, difference="circular"),
                hjorth_frequency(xt),
                hjorth_frequency(xt, kernel="omega"),
                hjorth_paper(xt),
            ):
                assert (h.activity, h.mobility, h.complexity) == (0.0, 0.0, 0.0)
        xt = preprocess_window(x, preprocess="highpass", cutoff=0.5, normalize="std")
        assert np.array_equal(xt, np.zeros(n))


def test_ramp_with_linear_differences_has_zero_mobility_ratio_not_nan():
    h = hjorth_time(np.arange(10.0))
    # var(x) > 0 but var(diff x) = 0: mobility 0, complexity defined as 0
    assert h.activity == pytest.approx(99 / 12, rel=1e-15)
    assert (h.mobility, h.complexity) == (0.0, 0.0)


# ---------------------------------------------------------------- bands, highpass

def test_band_energies_partition_activity():
    rng = np.random.default_rng(7)
    for n in (2, 9, 64, 401):
        x = rng.normal(size=n)
        e = band_energies(x, [0.0, 0.1, 0.25, 0.5, 1.0])
        # Parseval with the DC bin excluded: round-off only
        assert e.sum() == pytest.approx(np.var(x), rel=1e-12)
        assert np.all(e >= 0)
        assert low_frequency_energy(x, n) == pytest.approx(np.var(x), rel=1e-12)


def test_band_energies_localise_tones():
    n = 64
    t = np.arange(n)
    x = (1.0 * np.cos(2 * np.pi * 2 * t / n) + 3.0 * np.sin(2 * np.pi * 20 * t / n)
         + 0.5 * np.cos(np.pi * t))
    # tone k at fraction 2k/N of Nyquist: k=2 -> 1/16, k=20 -> 0.625,
    # k=32 -> 1 (Nyquist, energy A^2)
    e = band_energies(x, [0.0, 0.5, 1.0])
    assert e[0] == pytest.approx(0.5, rel=1e-12)
    assert e[1] == pytest.approx(4.5 + 0.25, rel=1e-12)
    assert low_frequency_energy(x, 2) == pytest.approx(0.5, rel=1e-12)


def test_highpass_removes_exactly_the_bins_below_cutoff():
    n = 40
    t = np.arange(n)
    low = np.cos(2 * np.pi * 1 * t / n)  # fraction of Nyquist 0.05
    high = np.cos(2 * np.pi * 2 * t / n)  # fraction 0.1 (exactly on the cutoff: kept)
    assert highpass_cutoff_bin(n, 0.1) == 2
    out = preprocess_window(5.0 + low + high, preprocess="highpass", cutoff=0.1)
    assert np.max(np.abs(out - high)) <= 1e-13  # FFT round-off on O(5) values
    assert highpass_cutoff_bin(n, 1.0) == 20  # only the Nyquist bin k = 20 survives
    assert highpass_cutoff_bin(41, 1.0) == 21  # odd N has no Nyquist bin: all removed
    assert np.max(np.abs(preprocess_window(low, preprocess="highpass", cutoff=1.0))) <= 1e-15


def test_normalisation_and_log():
    rng = np.random.default_rng(0)
    x = 2.0 + 0.1 * rng.normal(size=50)
    a = window_features(x, SpectralConfig(window=50, normalize="initial")).activity
    b = window_features(1e3 * x, SpectralConfig(window=50, normalize="initial")).activity
    assert a == pytest.approx(b, rel=1e-12)  # scale-free (round-off only)
    assert a == pytest.approx(np.var(x / x[0]), rel=1e-12)
    # "std" then mean removal: unit variance
    unit = window_features(x, SpectralConfig(window=50, normalize="std"))
    assert unit.activity == pytest.approx(1.0, rel=1e-12)
    # log makes the score invariant to multiplying the loss by a constant
    c1 = window_features(x, SpectralConfig(window=50, log=True)).activity
    c2 = window_features(7 * x, SpectralConfig(window=50, log=True)).activity
    assert c1 == pytest.approx(np.var(np.log(x)), rel=1e-12)
    assert c2 == pytest.approx(c1, rel=1e-9)  # log(7x) - log(x) rounds at ~eps*|log 14|/std


# ----------------------------------------------------------------------------- ROC

# 4 positives, 4 negatives, one positive/negative tie at 0.5.
HAND_SCORES = np.array([0.9, 0.8, 0.5, 0.3, 0.7, 0.5, 0.2, 0.1])
HAND_LABELS = np.array([1, 1, 1, 1, 0, 0, 0, 0])


def test_roc_hand_example():
    fpr, tpr, thr = roc_curve(HAND_SCORES, HAND_LABELS)
    # walking thresholds down: 0.9 (TP), 0.8 (TP), 0.7 (FP), 0.5 (TP+FP tie -> one
    # diagonal step), 0.3 (TP), 0.2 (FP), 0.1 (FP)
    assert thr.tolist() == [np.inf, 0.9, 0.8, 0.7, 0.5, 0.3, 0.2, 0.1]
    assert fpr.tolist() == [0, 0, 0, 0.25, 0.5, 0.5, 0.75, 1]
    assert tpr.tolist() == [0, 0.25, 0.5, 0.5, 0.75, 1, 1, 1]
    # Mann-Whitney: 16 pairs; positives 0.9, 0.8 beat all 4 negatives (8), 0.5 beats
    # 0.2 and 0.1 and ties 0.5 (2.5), 0.3 beats 0.2 and 0.1 (2): 12.5 / 16
    assert auroc(HAND_SCORES, HAND_LABELS) == 12.5 / 16
    assert np.trapezoid(tpr, fpr) == 12.5 / 16  # all dyadic: exact
    assert auroc(-HAND_SCORES, HAND_LABELS) == 1 - 12.5 / 16
    assert auroc(HAND_SCORES, HAND_LABELS.astype(bool)) == 12.5 / 16


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.booleans()), min_size=2, max_size=60))
def test_auroc_equals_trapezoid_area_with_ties(pairs):
    s = np.array([p[0] for p in pairs], dtype=float)
    y = np.array([p[1] for p in pairs])
    if y.all() or not y.any():
        with pytest.raises(ValueError, match="both classes"):
            auroc(s, y)
        return
    fpr, tpr, _ = roc_curve(s, y)
    a = auroc(s, y)
    # brute-force pair count, ties 1/2
    pos, neg = s[y], s[~y]
    brute = ((np.sum(pos[:, None] > neg[None, :]) + 0.5 * np.sum(pos[:, None] == neg[None, :]))
             / (pos.size * neg.size))
    assert a == pytest.approx(brute, abs=1e-13)  # sums of <= 3600 halves: round-off only
    assert a == pytest.approx(np.trapezoid(tpr, fpr), abs=1e-13)
    assert auroc(-s, y) == pytest.approx(1 - a, abs=1e-13)
    assert np.all(np.diff(fpr) >= 0) and np.all(np.diff(tpr) >= 0)


def test_fit_threshold_youden_hand_example():
    fit = fit_threshold(HAND_SCORES, HAND_LABELS)
    # J = tpr - fpr along the curve: 0, .25, .5, .25, .25, .5, .25, 0; the first
    # maximum is the rule score >= 0.8, and the midpoint to 0.7 is 0.75
    assert fit.direction == "higher" and fit.direction_source == "fitted"
    assert fit.threshold == pytest.approx(0.75, abs=1e-15)
    assert (fit.tpr, fit.fpr, fit.youden_j) == (0.5, 0.0, 0.5)
    assert fit.auroc == 12.5 / 16
    # target_fpr = 0.5: best tpr with fpr <= 0.5 is tpr 1 at score >= 0.3; midpoint to 0.2
    fit = fit_threshold(HAND_SCORES, HAND_LABELS, "target_fpr", 0.5)
    assert fit.threshold == pytest.approx(0.25, abs=1e-15)
    assert (fit.tpr, fit.fpr) == (1.0, 0.5)
    fit = fit_threshold(HAND_SCORES, HAND_LABELS, "target_fpr", 0.3)
    assert (fit.tpr, fit.fpr) == (0.5, 0.0)


def test_direction_is_fitted_from_data_and_recorded():
    flipped = 1 - HAND_LABELS
    fit = fit_threshold(HAND_SCORES, flipped)
    # flipping labels: low scores now mean "groks"; the signed AUROC is unchanged
    assert fit.direction == "lower" and fit.direction_source == "fitted"
    assert fit.auroc == 12.5 / 16
    pred = SpectralPredictor.from_fit(fit, feature="activity")
    decided = pred.decide(HAND_SCORES)
    assert np.mean(decided[flipped == 1]) == fit.tpr
    assert np.mean(decided[flipped == 0]) == fit.fpr
    assert pred.to_dict()["direction"] == "lower"
    assert "direction fitted" in pred.threshold_source
    with pytest.warns(AssumptionWarning):  # forced wrong way round: best J is 0
        given = fit_threshold(HAND_SCORES, flipped, direction="higher")
    assert given.direction_source == "given" and given.auroc == 1 - 12.5 / 16


def test_fit_threshold_warns_when_nothing_separates():
    with pytest.warns(AssumptionWarning, match="does not separate"):
        fit = fit_threshold([1.0, 1.0, 1.0, 1.0], [0, 1, 0, 1])
    assert (fit.tpr, fit.fpr, fit.threshold) == (1.0, 1.0, 1.0)


# ----------------------------------------------------------------------- bootstrap

def test_bootstrap_ci_contains_estimate_and_is_reproducible():
    rng = np.random.default_rng(2024)
    y = np.r_[np.ones(30, bool), np.zeros(40, bool)]
    s = rng.normal(size=70) + 1.0 * y
    a = bootstrap_auroc_ci(s, y, n_boot=2000, level=0.95, seed=11)
    b = bootstrap_auroc_ci(s, y, n_boot=2000, level=0.95, seed=11)
    c = bootstrap_auroc_ci(s, y, n_boot=2000, level=0.95, seed=12)
    assert a == b  # same SeedSequence entropy -> identical draws
    assert (a.low, a.high) != (c.low, c.high)
    assert a.estimate == auroc(s, y)
    assert 0 <= a.low < a.estimate < a.high <= 1
    # width vs the Hanley-McNeil normal approximation, sd ~ 0.055 here: the 95%
    # interval should be roughly 4 sd wide; accept a factor-of-2 band
    assert 0.1 < a.high - a.low < 0.45
    narrower = bootstrap_auroc_ci(s, y, n_boot=2000, level=0.5, seed=11)
    assert a.low <= narrower.low <= narrower.high <= a.high
    assert (a.n_pos, a.n_neg, a.n_boot, a.seed) == (30, 40, 2000, 11)
    d = json.loads(json.dumps(a.to_dict(), allow_nan=False))       # strict JSON, same values
    assert (d["estimate"], d["low"], d["high"]) == (a.estimate, a.low, a.high)


def test_bootstrap_perfect_separation_is_degenerate_at_one():
    ci = bootstrap_auroc_ci([3, 4, 5, 0, 1], [1, 1, 1, 0, 0], n_boot=300, seed=0)
    # stratified resampling keeps both classes, so every replicate separates perfectly
    assert (ci.estimate, ci.low, ci.high) == (1.0, 1.0, 1.0)


# ------------------------------------------------------------- predictor, evaluate

def _synthetic_runs(rng, n_runs, steps=300):
    """Runs whose early loss oscillates more when they will grok (a toy, not data)."""
    labels = rng.random(n_runs) < 0.5
    t = np.arange(steps)
    curves = []
    for groks in labels:
        amp = rng.uniform(0.02, 0.08) if groks else rng.uniform(0.0, 0.04)
        period = rng.uniform(8, 30)
        curve = (0.2 * np.exp(-t / rng.uniform(100, 300)) + amp * np.sin(2 * np.pi * t / period)
                 + 0.01 * rng.normal(size=steps))
        curves.append(2.0 + curve)
    return curves, labels.astype(int)


def test_calibrate_then_evaluate_on_held_out_runs():
    rng = np.random.default_rng(np.random.SeedSequence(99))
    cal_curves, cal_labels = _synthetic_runs(rng, 60)
    test_curves, test_labels = _synthetic_runs(rng, 80)
    cfg = SpectralConfig(window=200, preprocess="highpass", cutoff=0.04, normalize="initial")
    pred = fit_predictor(cal_curves, cal_labels, cfg)
    assert pred.direction == "higher"  # learnt, since amplitude is what differs
    scores = pred.score_many(test_curves)
    assert scores[0] == pred.score(test_curves[0])
    assert pred.predict(test_curves[0]) == bool(pred.decide(scores[0]))
    ev = evaluate(pred, scores, test_labels, n_boot=500, seed=3)
    # overlapping amplitude ranges (0.02-0.04): not perfect, but clearly informative
    assert 0.75 < ev.auroc.estimate <= 1.0
    assert ev.auroc.low <= ev.auroc.estimate <= ev.auroc.high
    assert ev.tp + ev.fn == ev.n_pos == int(test_labels.sum())
    assert ev.accuracy == pytest.approx((ev.tp + ev.tn) / ev.n, abs=0)
    d = json.loads(json.dumps(pred.to_dict(), allow_nan=False))
    assert d["config"]["cutoff"] == 0.04 and d["fit"]["method"] == "youden"
    e = json.loads(json.dumps(ev.to_dict(), allow_nan=False))
    assert e["accuracy"] == ev.accuracy and e["n_pos"] == int(test_labels.sum())


def test_evaluate_hand_example_and_nan_precision():
    p = SpectralPredictor(0.5, "activity", "higher", "user")
    ev = evaluate(p, HAND_SCORES, HAND_LABELS, n_boot=50)
    # score >= 0.5: positives 0.9, 0.8, 0.5 (TP 3), negatives 0.7, 0.5 (FP 2)
    assert (ev.tp, ev.fp, ev.tn, ev.fn) == (3, 2, 2, 1)
    assert (ev.precision, ev.recall, ev.fpr, ev.accuracy) == (3 / 5, 3 / 4, 2 / 4, 5 / 8)
    assert ev.auroc.estimate == 12.5 / 16
    never = SpectralPredictor(10.0, "activity", "higher", "user")
    ev = evaluate(never, HAND_SCORES, HAND_LABELS, n_boot=50)
    assert math.isnan(ev.precision)  # nothing predicted positive: undefined
    assert ev.to_dict()["precision"] is None
    lower = SpectralPredictor(0.5, "activity", "lower", "user")
    assert evaluate(lower, HAND_SCORES, HAND_LABELS, n_boot=50).auroc.estimate == 1 - 12.5 / 16


def test_predictor_is_frozen_and_features_consistent():
    t = np.arange(100)
    curve = 1.0 + 0.2 * np.cos(2 * np.pi * 4 * t / 100)
    cfg = SpectralConfig(window=100, band=(0.0, 0.1))
    feats = window_features(curve, cfg)
    # tone at fraction 2*4/100 = 0.08 of Nyquist: all its energy is in the band
    assert feats.band_energy == pytest.approx(feats.activity, rel=1e-12)
    assert feats.activity == pytest.approx(0.02, rel=1e-12)
    p = SpectralPredictor(0.01, "band_energy", "higher", "user", cfg)
    assert p.score(curve) == feats.band_energy and p.predict(curve)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.threshold = 0.0
    assert compute_saved(400, 10_000) == pytest.approx(0.96, abs=1e-15)
    assert compute_saved(10, 10) == 0.0


# -------------------------------------------------------------------- bad input

def test_bad_windows_and_curves():
    with pytest.raises(ValueError, match="window must be an integer >= 2"):
        extract_window([1.0, 2.0, 3.0], 1)
    with pytest.raises(ValueError, match=r"window must be <= len\(curve\) = 3"):
        extract_window([1.0, 2.0, 3.0], 4)
    with pytest.raises(ValueError, match="window must be an integer >= 2"):
        SpectralConfig(window=1)
    with pytest.raises(ValueError, match="window must be <= len"):
        window_features(np.ones(10), SpectralConfig(window=11))
    with pytest.raises(ValueError, match="curve must contain only finite"):
        extract_window([1.0, np.nan, 3.0], 3)
    assert extract_window([1.0, 2.0, np.nan], 2).tolist() == [1.0, 2.0]  # only the window is read
    with pytest.raises(ValueError, match="x must have length >= 2"):
        hjorth_time([1.0])
    with pytest.raises(ValueError, match="x must contain only finite"):
        hjorth_frequency([1.0, np.inf])
    with pytest.raises(ValueError, match="window must be > 0"):
        preprocess_window([1.0, 0.0], log=True)
    with pytest.raises(ValueError, match="cutoff must lie in"):
        preprocess_window([1.0, 2.0], preprocess="highpass", cutoff=0.0)
    with pytest.raises(ValueError, match="cutoff must be given"):
        SpectralConfig(preprocess="highpass")
    with pytest.raises(ValueError, match="preprocess must be one of"):
        preprocess_window([1.0, 2.0], preprocess="lowpass")
    with pytest.raises(ValueError, match="edges must be"):
        band_energies([1.0, 2.0, 3.0], [0.5, 0.2])
    with pytest.raises(ValueError, match="needs config.band"):
        SpectralPredictor(0.1, "band_energy", "higher", "user")


def test_bad_labels_and_thresholds():
    with pytest.raises(ValueError, match="labels must be binary"):
        auroc([0.1, 0.2, 0.3], [0, 1, 2])
    with pytest.raises(ValueError, match="labels must be binary"):
        roc_curve([0.1, 0.2], ["a", "b"])
    with pytest.raises(ValueError, match=r"both classes .*n_pos=3, n_neg=0"):
        roc_curve([0.1, 0.2, 0.3], [1, 1, 1])
    with pytest.raises(ValueError, match="both classes"):
        bootstrap_auroc_ci([0.1, 0.2], [0, 0])
    with pytest.raises(ValueError, match="same length"):
        auroc([0.1, 0.2, 0.3], [0, 1])
    with pytest.raises(ValueError, match="scores must contain only finite"):
        fit_threshold([0.1, np.nan], [0, 1])
    with pytest.raises(ValueError, match="target_fpr must be >= 0.25"):
        # the top score is a negative, so every finite threshold has fpr >= 1/4
        fit_threshold([0.9, 0.5, 0.4, 0.3, 0.2, 0.1], [0, 1, 0, 1, 0, 0], "target_fpr", 0.1)
    with pytest.raises(ValueError, match="target_fpr must be given"):
        fit_threshold(HAND_SCORES, HAND_LABELS, "target_fpr")
    with pytest.raises(ValueError, match="level must lie in"):
        bootstrap_auroc_ci(HAND_SCORES, HAND_LABELS, level=1.0)
    with pytest.raises(ValueError, match="n_boot must be an integer >= 1"):
        bootstrap_auroc_ci(HAND_SCORES, HAND_LABELS, n_boot=0)
    with pytest.raises(ValueError, match="direction must be one of"):
        SpectralPredictor(0.1, "activity", "up", "user")
    with pytest.raises(ValueError, match="threshold must be finite"):
        SpectralPredictor(float("inf"), "activity", "higher", "user")
    with pytest.raises(ValueError, match="window must be <= budget"):
        compute_saved(11, 10)
    with pytest.raises(ValueError, match="budget must be an integer >= 1"):
        compute_saved(1, 0)


# -------------------------------------------------------- hardening (issue 10)

@pytest.mark.parametrize("scale", [1e-200, 1e-160, 1e150, 1e200, 1e300])
def test_hjorth_is_scale_covariant_at_extreme_amplitudes(scale):
    # mobility and complexity are scale-invariant, the activity scales as scale^2; squaring
    # 1e200 used to overflow (activity inf, mobility NaN) and 1e-160 squares to subnormals
    x = np.random.default_rng(3).normal(size=64)
    ref_t = hjorth_time(x)
    ref_f = hjorth_frequency(x, kernel="omega")
    for ref, h in ((ref_t, lambda v: hjorth_time(v)),
                   (ref_f, lambda v: hjorth_frequency(v, kernel="omega"))):
        if scale > 1e154:                    # activity ~ scale^2 is beyond float64
            with pytest.raises(OverflowError, match="activity exceeds the float64 range"):
                h(x * scale)
            continue
        got = h(x * scale)
        assert got.mobility == pytest.approx(ref.mobility, rel=1e-13)
        assert got.complexity == pytest.approx(ref.complexity, rel=1e-13)
        assert got.activity == pytest.approx(ref.activity * scale ** 2, rel=1e-13, abs=0)


def test_energies_at_tiny_amplitude_keep_their_digits():
    n = np.arange(16)
    x = 1e-170 * (np.cos(2 * np.pi * n / 16) + 2 * np.cos(2 * np.pi * 6 * n / 16))
    # exact: 0.5e-340 and 2e-340 are subnormal; the relative error is set by the subnormal
    # spacing 4.9e-324, i.e. the energies are exact to rounding
    assert band_energies(x, [0.0, 0.5, 1.0]) == pytest.approx([0.5e-340, 2e-340], abs=5e-324)
    y = x * 1e30                             # 1e-140: normal squares
    assert band_energies(y, [0.0, 0.5, 1.0]) == pytest.approx([0.5e-280, 2e-280], rel=1e-13)
    assert low_frequency_energy(y, 1) == pytest.approx(0.5e-280, rel=1e-13)


def test_preprocess_does_not_overflow_near_the_float64_limit():
    # mean/std/trend of values ~1e308 used to overflow (sum = inf, mean - inf = NaN)
    x = np.array([1e308, 1e308, -1e308, 0.5e308, 0.25e308])
    small = x / 2.0 ** 1000                  # an exact power-of-two rescaling
    for mode, cutoff in (("mean", None), ("detrend", None), ("highpass", 0.5)):
        got = preprocess_window(x, preprocess=mode, cutoff=cutoff)
        ref = preprocess_window(small, preprocess=mode, cutoff=cutoff) * 2.0 ** 1000
        np.testing.assert_allclose(got, ref, rtol=1e-15)
    std = preprocess_window(x, normalize="std", preprocess="none")
    np.testing.assert_allclose(std, small / np.std(small), rtol=1e-15)
    with pytest.raises(TypeError, match="log must be a bool"):
        preprocess_window([1.0, 2.0], log="yes")
