"""Early-curve features, shipped models and reading users' curves (fast tier)."""

import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest

from theory.spectral.early import early_features, resample_unit_steps
from theory.spectral.hjorth import hjorth_time
from theory.spectral.model import EarlyCurveModel, available_models, load_model

T = np.arange(2000)


def _curve(tau=300.0, amp=0.0, period=9.0):
    return np.exp(-T / tau) * (1 + amp * np.sin(2 * np.pi * T / period)) + 0.05


# ---------------------------------------------------------------- features
def test_features_of_exponential_decay_match_closed_forms():
    # u = log(x/x0) = -t/tau exactly: ratios, slope and monotonicity are known in closed form.
    tau, W = 250.0, 400
    f = early_features(np.exp(-T / tau), W)
    assert f["log_ratio_q25"] == pytest.approx(-(W // 4 - 1) / tau, rel=1e-12)
    assert f["log_ratio_end"] == pytest.approx(-(W - 1) / tau, rel=1e-12)
    assert f["slope_end"] == pytest.approx(-W / tau, rel=1e-10)
    assert f["frac_up"] == 0.0
    # a straight line in log-space has no energy left after detrending
    assert f["log_activity_detrended"] == -20.0


def test_detrended_activity_of_oscillation_is_a_squared_over_two():
    # log-loss = line + A sin(2 pi t / 20): detrended variance ~ A^2 / 2 (sinusoid power).
    W, A = 400, 0.05
    u = -T[:W] / 300 + A * np.sin(2 * np.pi * T[:W] / 20)
    f = early_features(np.exp(u), W)
    assert 10 ** f["log_activity_detrended"] == pytest.approx(A ** 2 / 2, rel=0.02)
    # all that energy sits in the high band (period 20 = 10 % of Nyquist > 5 %)
    assert 10 ** f["log_band_high"] == pytest.approx(A ** 2 / 2, rel=0.02)
    # mobility ~ angular frequency of the oscillation, 2 pi / 20
    assert f["mobility"] == pytest.approx(2 * np.pi / 20, rel=0.05)
    # the paper's activity equals the time-domain variance of x / x0
    x = np.exp(u)
    assert 10 ** f["log_activity"] == pytest.approx(hjorth_time(x / x[0]).activity, rel=1e-10)


def test_features_reject_bad_windows():
    with pytest.raises(ValueError, match="at least window"):
        early_features(np.ones(10), 16)
    with pytest.raises(ValueError, match="> 0"):
        early_features(np.r_[1.0, -1.0, np.ones(30)], 16)
    with pytest.raises(ValueError, match=">= 16"):
        early_features(np.ones(100), 8)


# ---------------------------------------------------------------- resampling
def test_resampling_equals_interpolation_and_is_close_to_the_true_curve():
    truth = _curve(amp=0.0)
    steps = np.arange(0, 1000, 7)
    unit, vals, note = resample_unit_steps(steps, truth[steps])
    assert unit.tolist() == list(range(0, steps[-1] + 1))
    np.testing.assert_array_equal(vals, np.interp(unit, steps, truth[steps]))
    # linear interpolation error <= h^2 / 8 max|f''| = 49/8 * 1/300^2
    assert np.max(np.abs(vals - truth[unit])) <= 49 / 8 / 300 ** 2
    assert note["stride"] == 7 and not note["uneven"] and note["n_logged"] == steps.size


def test_resampling_rejects_unordered_steps_and_keeps_unit_steps():
    with pytest.raises(ValueError, match="strictly increasing"):
        resample_unit_steps([0, 2, 2, 3], [1, 1, 1, 1])
    unit, vals, note = resample_unit_steps([5, 6, 7], [3.0, 2.0, 1.0])
    assert note is None and unit.tolist() == [5, 6, 7] and vals.tolist() == [3.0, 2.0, 1.0]


# ---------------------------------------------------------------- a hand-made model
def _toy_model(**kw):
    names = ("log_ratio_end", "frac_up")
    args = dict(name="hand", version="0", family="demo", window=64, features=names,
                mean=[-0.5, 0.1], scale=[0.2, 0.05], coef=[-1.5, 0.7], intercept=0.3,
                feature_min=[-2.0, 0.0], feature_max=[0.0, 0.5])
    args.update(kw)
    return EarlyCurveModel(**args)


def test_model_probability_equals_hand_computation():
    m = _toy_model()
    curve = _curve(tau=80.0, amp=0.02, period=5.0)
    p = m.predict(curve)
    f = early_features(curve, 64)
    z = [(f["log_ratio_end"] + 0.5) / 0.2, (f["frac_up"] - 0.1) / 0.05]
    logit = 0.3 - 1.5 * z[0] + 0.7 * z[1]
    assert p.raw_probability == pytest.approx(1 / (1 + math.exp(-logit)), rel=1e-12)
    assert p.logit == pytest.approx(logit, rel=1e-12)
    assert p.evidence["frac_up"]["contribution"] == pytest.approx(0.7 * z[1], rel=1e-12)
    assert sum(e["contribution"] for e in p.evidence.values()) + p.intercept == \
        pytest.approx(p.logit, rel=1e-12)
    assert p.prediction == (p.probability >= 0.5)
    assert p.to_dict()["confident"] is True


def test_flat_short_out_of_range_and_diverged_give_no_answer():
    m = _toy_model()
    flat = m.predict(np.full(200, 0.7))
    assert flat.probability is None and flat.prediction is None
    assert any(w.startswith("flat") for w in flat.warnings)
    short = m.predict(_curve()[:40])
    assert short.probability is None and any(w.startswith("too short") for w in short.warnings)
    # a curve that drops by e^-10 in 64 steps: log_ratio_end = -10, far below [-2, 0]
    steep = m.predict(np.exp(-T[:64] / 6.4))
    assert steep.probability is None and steep.raw_probability is not None
    assert any(w.startswith("out of range: log_ratio_end") for w in steep.warnings)
    bad = m.predict(np.r_[1.0, np.nan, np.ones(100)])
    assert bad.probability is None and "non-finite" in bad.warnings[0]


def test_strided_curve_is_resampled_and_coarse_curve_is_not_trusted():
    m = _toy_model()
    curve = _curve(tau=80.0)
    steps = np.arange(0, 300, 2)
    p = m.predict(curve[steps], steps=steps)
    assert p.resampled["stride"] == 2 and p.warnings[0].startswith("resampled")
    direct = m.predict(np.interp(np.arange(300), steps, curve[steps]))
    assert p.raw_probability == pytest.approx(direct.raw_probability, rel=1e-12)
    coarse = np.arange(0, 300, 8)  # 8 points in a 64-step window
    q = m.predict(curve[coarse], steps=coarse)
    assert q.probability is None and any("too coarse" in w for w in q.warnings)


def test_model_rejects_malformed_fields():
    with pytest.raises(ValueError, match="features"):
        _toy_model(features=("no_such_feature", "frac_up"))
    with pytest.raises(ValueError, match="scale"):
        _toy_model(scale=[0.2, 0.0])
    with pytest.raises(ValueError, match="threshold"):
        _toy_model(threshold=1.5)
    with pytest.raises(ValueError, match="not an early-curve model"):
        EarlyCurveModel.from_dict({"format": "something else"})
    with pytest.raises(ValueError, match="shipped model name"):
        load_model("no_such_model")


# ---------------------------------------------------------------- shipped models
@pytest.mark.parametrize("name", ["toy", "modular", "toy_split"])
def test_shipped_model_reproduces_scikit_learn_on_its_reference_runs(name):
    assert name in available_models()
    m = load_model(name)
    spec = m.spec
    assert spec["window"] <= 0.04 * spec["family"]["budget"]
    assert spec["held_out"]["auroc"]["low"] <= spec["held_out"]["auroc"]["estimate"]
    for ref in spec["reference_runs"]:
        p = m.predict(np.array(ref["early_loss"]), split=ref["split"])
        # probability_sklearn was computed by scikit-learn's predict_proba at fit time
        assert p.raw_probability == pytest.approx(ref["probability_sklearn"], rel=1e-9,
                                                  abs=1e-12)


def test_shipped_model_file_hand_computation():
    # the formula of the module docstring, applied to the raw JSON fields
    m = load_model("toy")
    import theory.spectral.model as tsm

    with open(os.path.join(os.path.dirname(tsm.__file__), "models", "toy.json")) as fh:
        spec = json.load(fh)
    ref = spec["reference_runs"][0]
    f = early_features(np.array(ref["early_loss"]), spec["window"])
    lm = spec["logistic"]
    eta = lm["intercept"] + sum(c * (f[n] - mu) / s for n, mu, s, c in
                                zip(spec["features"]["names"], lm["mean"], lm["scale"],
                                    lm["coef"]))
    eta = spec["calibration"]["a"] * eta + spec["calibration"]["c"]
    assert m.predict(np.array(ref["early_loss"])).raw_probability == \
        pytest.approx(1 / (1 + math.exp(-eta)), rel=1e-12)


def test_applying_a_model_needs_no_scikit_learn():
    code = ("import sys; sys.modules['sklearn'] = None\n"
            "import numpy as np\n"
            "from theory.spectral import load_model\n"
            "t = np.arange(500)\n"
            "p = load_model('toy').predict(np.exp(-t / 300) + 0.01)\n"
            "assert 'sklearn' not in [m.split('.')[0] for m in sys.modules if sys.modules[m]]\n"
            "print(p.raw_probability)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert 0.0 <= float(out.stdout.strip()) <= 1.0


# ---------------------------------------------------------------- user files
def test_predict_curve_dict_reads_a_strided_csv_with_extra_columns(tmp_path):
    from validation.spectral.io import predict_curve_dict

    path = tmp_path / "log.csv"
    steps = np.arange(0, 1200, 4)
    loss = 0.9 * np.exp(-steps / 500) + 0.02
    with open(path, "w") as fh:
        fh.write("epoch,step,lr,train_loss,val_loss\n")
        for k, (s, v) in enumerate(zip(steps, loss)):
            fh.write(f"{k},{s},0.001,{float(v)!r},1.0\n")
    out = predict_curve_dict(path, model="toy")
    assert out["resampled"]["stride"] == 4
    assert out["config"]["logged_points"] == steps.size
    json.dumps(out, allow_nan=False)
    direct = load_model("toy").predict(np.interp(np.arange(1200), steps, loss))
    assert out["raw_probability"] == pytest.approx(direct.raw_probability, rel=1e-12)


def test_read_curve_errors_name_the_problem(tmp_path):
    from validation.spectral.io import read_curve

    path = tmp_path / "c.csv"
    path.write_text("step,loss\n0,1\n1,0.5\n")
    with pytest.raises(ValueError, match="missing column 'train_loss'"):
        read_curve(path)
    assert read_curve(path, column="loss").values.tolist() == [1.0, 0.5]
    try:
        import tbparse  # noqa: F401
    except ImportError:
        tb = tmp_path / "events.out.tfevents.123"
        tb.write_bytes(b"")
        with pytest.raises(ValueError, match="tbparse"):
            read_curve(tb)
