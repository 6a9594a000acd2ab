"""Property tests of ``theory.spectral`` (see ``test_properties_registry.py``)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_properties_registry import (
    assert_finite,
    bad_choice,
    bad_count,
    covers,
    make_invalid_test,
    make_valid_test,
    rejects,
)

from theory.spectral import early as EA
from theory.spectral import hjorth as H
from theory.spectral import model as MO
from theory.spectral import predictor as PR
from theory.spectral import preprocess as PP
from theory.spectral import roc as R

pytestmark = pytest.mark.filterwarnings("ignore::theory._checks.AssumptionWarning")


@st.composite
def windows(draw, n_min=2, n_max=64):
    """Windows of any amplitude from 1e-150 to 1e150 (the energies stay in range)."""
    n = draw(st.integers(n_min, n_max))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 20)))
    scale = 10.0 ** draw(st.integers(-150, 150))
    kind = draw(st.sampled_from(["noise", "tone", "constant", "ramp"]))
    t = np.arange(n)
    x = {"noise": rng.normal(size=n), "tone": np.cos(2 * np.pi * t * draw(
        st.integers(0, n // 2)) / n), "constant": np.ones(n), "ramp": t / n}[kind]
    return scale * x


bad_window = st.sampled_from([[1.0], [np.nan, 1.0], [1.0, np.inf], "x", [[1.0, 2.0]], None])

# --------------------------------------------------------------------------- hjorth
x_only = windows().map(lambda x: {"x": x})


def _hjorth_check(h, x, **kw):
    assert h.activity >= 0 and h.mobility >= 0 and h.complexity >= 0
    # scale covariance: the same window rescaled (exactly, by a power of two) to unit size
    peak = np.max(np.abs(x))
    if peak > 0:
        ref = _same(h, np.ldexp(x, -int(np.frexp(peak)[1])), **kw)
        assert h.mobility == pytest.approx(ref.mobility, rel=1e-12, abs=1e-300)
        assert h.complexity == pytest.approx(ref.complexity, rel=1e-12, abs=1e-300)


def _same(h, x, **kw):
    if h.definition.startswith("time"):
        return H.hjorth_time(x, **kw)
    return H.hjorth_frequency(x, **kw) if kw else H.hjorth_paper(x)


test_valid_hjorth_time = make_valid_test(
    H.hjorth_time, st.tuples(windows(), st.sampled_from(["linear", "circular"])).map(
        lambda a: {"x": a[0], "difference": a[1]}), _hjorth_check)
test_invalid_hjorth_time = make_invalid_test(
    H.hjorth_time, x_only, {"x": bad_window, "difference": bad_choice})
freq_args = st.tuples(windows(), st.sampled_from(H.KERNELS),
                      st.sampled_from(["standard", "paper"])).map(
    lambda a: {"x": a[0], "kernel": a[1], "complexity": a[2]})
test_valid_hjorth_freq = make_valid_test(H.hjorth_frequency, freq_args, _hjorth_check)
test_invalid_hjorth_freq = make_invalid_test(
    H.hjorth_frequency, x_only, {"x": bad_window, "kernel": bad_choice,
                                 "complexity": bad_choice})
test_valid_hjorth_paper = make_valid_test(H.hjorth_paper, x_only, _hjorth_check)
test_invalid_hjorth_paper = make_invalid_test(H.hjorth_paper, x_only, {"x": bad_window})


def _parseval(out, x):
    omega, power = out
    # Parseval: the power sums to mean(x^2) (computed at unit amplitude)
    peak = np.max(np.abs(x))
    if peak > 0:
        xs = x / peak
        assert np.sum(power) == pytest.approx(np.mean(xs * xs) * peak ** 2, rel=1e-10)


test_valid_power = make_valid_test(H.power_spectrum, x_only, _parseval)
test_invalid_power = make_invalid_test(H.power_spectrum, x_only, {"x": bad_window})
moment_args = st.tuples(windows(), st.lists(st.integers(0, 6), min_size=1, max_size=3),
                        st.sampled_from(H.KERNELS)).map(
    lambda a: {"x": a[0], "orders": a[1], "kernel": a[2]})
test_valid_moments = make_valid_test(H.spectral_moments, moment_args,
                                     lambda m, **kw: np.all(m >= 0))
test_invalid_moments = make_invalid_test(H.spectral_moments, moment_args, {
    "x": bad_window, "orders": st.sampled_from([[-1], [1.5], ["a"]]), "kernel": bad_choice})


@st.composite
def band_args(draw):
    x = draw(windows())
    edges = sorted(set(draw(st.lists(st.floats(0.0, 1.0), min_size=2, max_size=5))))
    if len(edges) < 2:
        edges = [0.0, 1.0]
    return {"x": x, "edges": edges}


def _bands_check(e, x, edges):
    assert np.all(e >= 0)
    if edges[0] == 0.0 and edges[-1] == 1.0:        # the bands partition the activity
        # (to rounding: the FFT leaks ~1e-16 of the mean into the other bins)
        assert np.sum(e) == pytest.approx(H.hjorth_time(x).activity, rel=1e-9,
                                          abs=1e-13 * float(np.mean(x * x)))


test_valid_bands = make_valid_test(H.band_energies, band_args(), _bands_check)
test_invalid_bands = make_invalid_test(H.band_energies, band_args(), {
    "x": bad_window, "edges": st.sampled_from([[0.5], [0.5, 0.2], [-0.1, 0.5], [0, 2], "e"])})
low_args = st.tuples(windows(), st.integers(1, 100)).map(lambda a: {"x": a[0], "k_max": a[1]})
test_valid_low = make_valid_test(H.low_frequency_energy, low_args,
                                 lambda e, **kw: e >= 0)
test_invalid_low = make_invalid_test(H.low_frequency_energy, low_args, {
    "x": bad_window, "k_max": st.sampled_from([0, -1, 2.5, None, True])})

# --------------------------------------------------------------------------- preprocess
extract_args = st.tuples(windows(3, 80), st.data()).map(
    lambda a: {"curve": a[0], "window": a[1].draw(st.integers(2, a[0].size))})
test_valid_extract = make_valid_test(PP.extract_window, extract_args,
                                     lambda w, curve, window: w.size == window)
test_invalid_extract = make_invalid_test(PP.extract_window, extract_args, {
    "curve": st.sampled_from([[[1.0, 2.0]], [np.nan] * 3]),
    "window": st.sampled_from([1, 10 ** 6, 2.5, "2", None])})
cut_args = st.fixed_dictionaries({"n": st.integers(2, 10 ** 4),
                                  "cutoff": st.floats(1e-6, 1.0)})
test_valid_cut = make_valid_test(PP.highpass_cutoff_bin, cut_args,
                                 lambda k, n, cutoff: 1 <= k <= n // 2 + 1)
test_invalid_cut = make_invalid_test(PP.highpass_cutoff_bin, cut_args, {
    "n": st.sampled_from([1, 0, 2.5, "4"]), "cutoff": st.sampled_from([0.0, 1.5, -1, "a"])})


@st.composite
def preprocess_args(draw):
    x = draw(windows())
    mode = draw(st.sampled_from(PP.PREPROCESS_MODES))
    log = draw(st.booleans()) and bool(np.all(x > 0))
    normalize = draw(st.sampled_from(PP.NORMALIZE_MODES))
    if normalize == "initial" and (np.log(x[0]) if log else x[0]) == 0:
        normalize = "none"
    return {"window": x, "preprocess": mode, "log": log, "normalize": normalize,
            "cutoff": draw(st.floats(1e-3, 1.0)) if mode == "highpass" else None}


def _preprocess_check(out, window, preprocess, **kw):
    assert out.shape == np.shape(window)
    if preprocess in ("mean", "detrend", "linear", "highpass"):
        # the mean is removed (up to rounding relative to the input's amplitude)
        x = np.log(window) if kw.get("log") else np.asarray(window)
        amp = np.max(np.abs(out)) + np.max(np.abs(x)) / (np.std(x) if kw.get(
            "normalize") == "std" and np.std(x) > 0 else 1.0)
        assert abs(np.mean(out)) <= 1e-12 * amp


test_valid_preprocess = make_valid_test(PP.preprocess_window, preprocess_args(),
                                        _preprocess_check)
test_invalid_preprocess = make_invalid_test(PP.preprocess_window, preprocess_args(), {
    "window": bad_window, "preprocess": bad_choice, "normalize": bad_choice,
    "log": st.sampled_from(["yes", None, 1.5])})

# --------------------------------------------------------------------------- roc
@st.composite
def scored(draw, n_min=2, n_max=40, per_class=1):
    n = draw(st.integers(max(n_min, 2 * per_class), n_max))
    labels = draw(st.lists(st.integers(0, 1), min_size=n, max_size=n))
    labels[:per_class] = [0] * per_class              # both classes, per_class runs each
    labels[n - per_class:] = [1] * per_class
    scores = draw(st.lists(st.floats(-1e6, 1e6), min_size=n, max_size=n))
    return {"scores": scores, "labels": labels}


BAD_SCORED = {"scores": st.sampled_from([[np.nan, 1.0], [np.inf, 0.0], "s", [1.0] * 999]),
              "labels": st.sampled_from([[0, 2], [1, 1], ["a", "b"], [0.5, 1.0]])}


def _auroc_check(a, scores, labels):
    # second method: the Mann-Whitney count over all (positive, negative) pairs
    s, y = np.asarray(scores), np.asarray(labels)
    pos, neg = s[y == 1], s[y == 0]
    wins = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    assert a == pytest.approx(wins / (pos.size * neg.size), abs=1e-12)


test_valid_auroc = make_valid_test(R.auroc, scored(), _auroc_check)
test_invalid_auroc = make_invalid_test(R.auroc, scored(), BAD_SCORED)
test_valid_roc = make_valid_test(
    R.roc_curve, scored(),
    lambda out, **kw: np.all(np.diff(out[0]) >= 0) and np.all(np.diff(out[1]) >= 0),
    allow=("result[2]",))                     # documented: thresholds start at +inf
test_invalid_roc = make_invalid_test(R.roc_curve, scored(), BAD_SCORED)
boot_args = st.tuples(scored(per_class=2), st.integers(1, 200), st.floats(0.05, 0.99),
                      st.integers(0, 100)).map(
    lambda a: a[0] | {"n_boot": a[1], "level": a[2], "seed": a[3]})
test_valid_boot = make_valid_test(R.bootstrap_auroc_ci, boot_args,
                                  lambda ci, **kw: 0 <= ci.low <= ci.high <= 1,
                                  max_examples=15)
test_invalid_boot = make_invalid_test(R.bootstrap_auroc_ci, boot_args, BAD_SCORED | {
    "labels": st.sampled_from([[0, 2], [1, 1], ["a", "b"], [0.5, 1.0], [0] * 9 + [1]]),
    "n_boot": bad_count, "level": st.sampled_from([0.0, 1.0, 2.0, None]),
    "seed": st.sampled_from([-1, 1.5, "s"])})
fit_args = st.tuples(scored(), st.sampled_from(["auto", "higher", "lower"])).map(
    lambda a: a[0] | {"direction": a[1]})
test_valid_fit = make_valid_test(R.fit_threshold, fit_args,
                                 lambda f, **kw: 0 <= f.fpr <= 1 and 0 <= f.tpr <= 1)
test_invalid_fit = make_invalid_test(R.fit_threshold, fit_args, BAD_SCORED | {
    "method": bad_choice, "direction": bad_choice})


@covers(R.direction_sign)
def test_direction_sign():
    assert (R.direction_sign("higher"), R.direction_sign("lower")) == (1.0, -1.0)
    for bad in ("up", None, 1):
        rejects(lambda bad=bad: R.direction_sign(bad), "direction")


# --------------------------------------------------------------------------- predictor
@st.composite
def configs(draw):
    mode = draw(st.sampled_from(PP.PREPROCESS_MODES))
    lo = draw(st.floats(0.0, 0.9))
    return {"window": draw(st.integers(2, 64)), "preprocess": mode,
            "cutoff": draw(st.floats(1e-3, 1.0)) if mode == "highpass" else None,
            "normalize": draw(st.sampled_from(["none", "std"])),
            "kernel": draw(st.sampled_from(H.KERNELS)),
            "band": draw(st.one_of(st.none(), st.just((lo, lo + 0.1))))}


test_valid_config = make_valid_test(PR.SpectralConfig, configs())
test_invalid_config = make_invalid_test(PR.SpectralConfig, configs(), {
    "window": st.sampled_from([1, 2.5, "4", None]), "preprocess": bad_choice,
    "normalize": bad_choice, "kernel": bad_choice, "log": st.sampled_from(["yes", None]),
    "band": st.sampled_from([(0.5, 0.2), (0.0, 2.0), (1.0,)])})


@st.composite
def curves_and_config(draw, n_curves=None):
    cfg = PR.SpectralConfig(**draw(configs()))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 20)))
    k = n_curves or draw(st.integers(1, 5))
    curves = [2.0 + rng.normal(size=cfg.window + draw(st.integers(0, 10))) * 0.1
              for _ in range(k)]
    return cfg, curves


test_valid_features = make_valid_test(
    PR.window_features, curves_and_config().map(lambda a: {"curve": a[1][0], "config": a[0]}))
test_invalid_features = make_invalid_test(
    PR.window_features, curves_and_config().map(lambda a: {"curve": a[1][0], "config": a[0]}),
    {"curve": st.sampled_from([[1.0], [np.nan] * 500, "c"]),
     "config": st.sampled_from(["cfg", 3])})
test_valid_score = make_valid_test(
    PR.score_curves, st.tuples(curves_and_config(), st.sampled_from(PR.FEATURES)).map(
        lambda a: {"curves": a[0][1], "config": a[0][0],
                   "feature": a[1] if a[1] != "band_energy" or a[0][0].band else "activity"}))
test_invalid_score = make_invalid_test(
    PR.score_curves, curves_and_config().map(lambda a: {"curves": a[1], "config": a[0]}),
    {"curves": st.sampled_from([[[1.0]], "c", [[np.nan] * 500]]), "feature": bad_choice},
    aliases={"curves": "curve"})


@st.composite
def fit_predictor_args(draw):
    cfg, curves = draw(curves_and_config(n_curves=6))
    labels = [0, 1] + draw(st.lists(st.integers(0, 1), min_size=4, max_size=4))
    return {"curves": curves, "labels": labels, "config": cfg}


test_valid_fit_predictor = make_valid_test(PR.fit_predictor, fit_predictor_args(),
                                           max_examples=15)
test_invalid_fit_predictor = make_invalid_test(PR.fit_predictor, fit_predictor_args(), {
    "labels": st.sampled_from([[0] * 6, [0, 1, 2, 0, 1, 0], [0, 1]]),
    "feature": bad_choice, "method": bad_choice, "direction": bad_choice})

predictor_args = st.fixed_dictionaries({
    "threshold": st.floats(-1e6, 1e6), "feature": st.sampled_from(PR.FEATURES[:4]),
    "direction": st.sampled_from(["higher", "lower"]),
    "threshold_source": st.just("user")})
test_valid_predictor = make_valid_test(PR.SpectralPredictor, predictor_args)
test_invalid_predictor = make_invalid_test(PR.SpectralPredictor, predictor_args, {
    "threshold": st.sampled_from([np.nan, np.inf, "t", None]), "feature": bad_choice,
    "direction": bad_choice, "config": st.sampled_from(["cfg", 3])})
eval_args = st.tuples(predictor_args, scored(per_class=2), st.integers(1, 100)).map(
    lambda a: {"predictor": PR.SpectralPredictor(**a[0]), "scores": a[1]["scores"],
               "labels": a[1]["labels"], "n_boot": a[2]})
test_valid_evaluate = make_valid_test(
    PR.evaluate, eval_args, lambda e, **kw: e.tp + e.fn == e.n_pos, max_examples=15,
    allow=("result.precision",))             # documented: NaN when nothing is predicted
test_invalid_evaluate = make_invalid_test(PR.evaluate, eval_args, BAD_SCORED | {
    "predictor": st.sampled_from([None, "p"]), "n_boot": bad_count})
saved_args = st.tuples(st.integers(1, 10 ** 6), st.integers(0, 10 ** 6)).map(
    lambda a: {"window": a[0], "budget": a[0] + a[1]})
test_valid_saved = make_valid_test(PR.compute_saved, saved_args,
                                   lambda f, window, budget: f == 1 - window / budget)
test_invalid_saved = make_invalid_test(PR.compute_saved, saved_args, {
    "window": st.sampled_from([0, -1, 2.5, 10 ** 9]), "budget": bad_count})


# --------------------------------------------------------------------------- early curves
@st.composite
def loss_curves(draw, window=None):
    w = window or draw(st.integers(EA.MIN_WINDOW, 120))
    t = np.arange(w + draw(st.integers(0, 20)))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 20)))
    kind = draw(st.sampled_from(["decay", "flat", "noisy", "plateau"]))
    scale = 10.0 ** draw(st.integers(-100, 100))
    x = {"decay": np.exp(-t / draw(st.floats(5.0, 500.0))), "flat": np.ones(t.size),
         "noisy": np.exp(-t / 50.0) * np.exp(0.1 * rng.normal(size=t.size)),
         "plateau": 1.0 / (1.0 + t / 30.0)}[kind]
    return {"curve": scale * x, "window": w}


def _early_check(f, curve, window):
    assert set(f) == set(EA.EARLY_FEATURES)
    # scale-free (the docstring's promise): the same curve times 1e3 gives the same
    # features, exactly exponential windows included
    g = EA.early_features(curve * 1e3, window)
    for k in f:
        assert g[k] == pytest.approx(f[k], rel=1e-9, abs=1e-9), k


@pytest.mark.parametrize("tau, window", [(5.0, 16), (2.0, 300), (200.0, 64)])
def test_early_features_of_an_exact_exponential(tau, window):
    # log(loss) is a straight line: nothing around the trend, at every scale.  The documented
    # value is that of a flat residual: mobility = complexity = 0, energies at LOG_FLOOR.
    t = np.arange(window)
    feats = [EA.early_features(s * np.exp(-t / tau), window) for s in (10.0, 1e4, 1e-200)]
    for f in feats:
        assert f["mobility"] == 0.0 and f["complexity"] == 0.0
        for k in ("log_activity_detrended", "log_band_low", "log_band_high"):
            assert f[k] == EA.LOG_FLOOR
        for k in f:
            assert f[k] == pytest.approx(feats[0][k], rel=1e-9, abs=1e-12), k
    # a real oscillation far below the loss' scale but far above rounding is kept: its
    # mobility is its angular frequency (a whole number of periods in the window)
    omega = 2 * np.pi * 4 / window
    wiggle = np.exp(-t / tau) * np.exp(1e-9 * np.cos(omega * t))
    assert EA.early_features(wiggle, window)["mobility"] == pytest.approx(omega, rel=0.05)


test_valid_early = make_valid_test(EA.early_features, loss_curves(), _early_check)
test_invalid_early = make_invalid_test(EA.early_features, loss_curves(), {
    "curve": st.sampled_from([[1.0] * 3, [-1.0] * 200, [np.nan] * 200, "c", [[1.0] * 200]]),
    "window": st.sampled_from([1, 2.5, "w", None, 10 ** 6])})
test_valid_early_matrix = make_valid_test(
    EA.early_feature_matrix, st.tuples(loss_curves(64), loss_curves(64)).map(
        lambda a: {"curves": [a[0]["curve"], a[1]["curve"]], "window": 64}),
    lambda M, curves, window: M.shape == (2, len(EA.EARLY_FEATURES)), max_examples=15)
test_invalid_early_matrix = make_invalid_test(
    EA.early_feature_matrix, loss_curves(64).map(lambda a: {"curves": [a["curve"]],
                                                             "window": 64}),
    {"names": st.sampled_from([["bogus"], [3]]), "window": st.sampled_from([1, "w"]),
     "curves": st.sampled_from([[[np.nan] * 64], [[1.0]]])},
    aliases={"curves": "curve"})


@st.composite
def strided(draw):
    stride = draw(st.integers(1, 7))
    n = draw(st.integers(2, 40))
    steps = np.cumsum([0] + [stride + draw(st.integers(0, 2)) for _ in range(n - 1)])
    values = np.exp(-steps / 30.0)
    return {"steps": steps, "values": values}


def _resample_check(out, steps, values):
    s, v, note = out
    assert s[0] == steps[0] and s[-1] == steps[-1] and np.all(np.diff(s) == 1)
    assert np.allclose(np.interp(steps, s, v), values, rtol=1e-12)


test_valid_resample = make_valid_test(EA.resample_unit_steps, strided(), _resample_check,
                                      allow=("result",))
test_invalid_resample = make_invalid_test(EA.resample_unit_steps, strided(), {
    "steps": st.sampled_from([[0], [0, 0.5], [3, 1], [0, np.nan], "s"]),
    "values": st.sampled_from([[1.0], [[1.0, 2.0]], "v", None])})


@covers(MO.available_models, MO.load_model, MO.EarlyCurveModel)
@settings(max_examples=20)
@given(data=st.data())
def test_shipped_models_predict_or_refuse(data):
    name = data.draw(st.sampled_from(MO.available_models()))
    model = MO.load_model(name)
    curve = data.draw(loss_curves(model.window))["curve"]
    split = None
    if model.split_features:
        split = {f: 0.0 for f in model.split_features}
        try:
            model.predict(curve, split=split)
        except (ValueError, TypeError) as exc:        # a split needs its own fields
            assert "split" in str(exc)
            return
    for c in (curve, [1.0, np.nan] * model.window):
        try:
            pred = model.predict(c, split=split)
        except (ValueError, TypeError) as exc:        # a bad curve is refused by name ...
            assert "curve" in str(exc)
            continue
        assert_finite(pred, allow=("result.evidence",))
        if pred.probability is not None:
            assert 0.0 <= pred.probability <= 1.0 and pred.prediction == (
                pred.probability >= pred.threshold)
        else:
            assert pred.warnings                      # ... or gets no answer, with the reason
    for bad in ("no-such-model", 3, None):
        with pytest.raises((ValueError, TypeError)):
            MO.load_model(bad)
    rejects(lambda: MO.EarlyCurveModel.from_dict({"format": "x"}), "model")
