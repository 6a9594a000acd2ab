"""``grokking predict ridge|kernel``: the answers equal the other verbs' on the same settings.

Every equality is against an independent call (another verb through the same
``main``, or the theory library), never against the predictor's own arithmetic.
"""

import json

import pytest

from grokking_cli import main
from theory import __version__


def cli(capsys, *args, expect=0):
    code = main(list(args))
    captured = capsys.readouterr()
    assert code == expect, captured.err
    return json.loads(captured.out) if expect == 0 else captured.err


# A setting whose seeds differ: t1 = -1 (no overfitting phase) on seeds 4 and 5 only, so the
# means of t1 and grokking_time are over seeds 0-3 and t2's over all six.
MIXED = ("--n", "20", "--m", "100", "--nu2", "0.01", "--lam", "1e-3", "--seeds", "0-5")


# ---------------------------------------------------------------------------- ridge
@pytest.mark.parametrize("flags", [("--seeds", "2"),
                                   ("--n", "30", "--m", "150", "--lam", "1e-3", "--seeds", "3"),
                                   MIXED])
def test_ridge_equals_ridge_times(capsys, flags):
    times = cli(capsys, "ridge", "times", *flags)
    pred = cli(capsys, "predict", "ridge", *flags)
    for key in ("t1", "t2", "grokking_time"):
        assert pred[key]["mean"] == times["mean"][key]
        assert pred[key]["n"] == times["n_defined"][key]
        assert pred[key]["seeds"] == times["mean_over"][key]["seeds"]
    assert [(r["t1"], r["t2"]) for r in pred["runs"]] == \
        [(r["t1"], r["t2"]) for r in times["runs"]]


def test_ridge_times_equal_the_unbatched_closed_form(capsys):
    # an independent path: one sample_problem and grokking_times per seed, no batching
    from theory.ridge import grokking_times, sample_problem

    pred = cli(capsys, "predict", "ridge", *MIXED)
    for r in pred["runs"]:
        t = grokking_times(sample_problem(20, 100, 0.01, seed=r["seed"]), lam=1e-3, eta=1.0,
                           eps=0.01, c=0.01)
        assert (r["t1"], r["t2"], r["groks"]) == (t.t1, t.t2, t.groks)


def test_ridge_groks_agrees_with_the_exact_times(capsys):
    times = cli(capsys, "ridge", "times", "--seeds", "2")
    assert all(r["t2"] - r["t1"] > 0 for r in times["runs"])      # both seeds grok
    pred = cli(capsys, "predict", "ridge", "--seeds", "2")
    assert pred["groks"] is True
    assert pred["summary"].startswith("groks: overfits by step")


def test_ridge_seeds_that_disagree_give_null_and_say_which(capsys):
    times = cli(capsys, "ridge", "times", *MIXED)
    grok = [s["seed"] for s in times["runs"] if s["groks"]]
    no = [s["seed"] for s in times["runs"] if not s["groks"]]
    assert grok and no                                   # the setting really is mixed
    pred = cli(capsys, "predict", "ridge", *MIXED)
    assert pred["groks"] is None
    assert f"seeds {grok} grok, seeds {no} do not" in pred["groks_reason"]
    assert pred["summary"].startswith("undecided: seeds disagree")


def test_ridge_no_overfitting_phase_does_not_grok(capsys):
    flags = ("--nu2", "1e-4", "--seeds", "2")
    times = cli(capsys, "ridge", "times", *flags)
    assert all(r["t1"] == -1 for r in times["runs"])
    pred = cli(capsys, "predict", "ridge", *flags)
    assert pred["groks"] is False
    assert "no overfitting phase" in pred["summary"]


def test_ridge_bound_equals_ridge_bounds(capsys):
    bounds = cli(capsys, "ridge", "bounds", "--seeds", "2")
    pred = cli(capsys, "predict", "ridge", "--seeds", "2")["bound"]
    assert pred["t2_lower"]["values"] == bounds["t2_lower_eq8"]["values"]
    assert pred["t1_upper"]["values"] == bounds["t1_upper_eq8"]["values"]
    assert pred["grokking_time_lower"]["values"] == bounds["grokking_lower_eq8"]["values"]
    assert pred["assumptions_failed"] == bounds["t2_lower_eq8"]["failed"]
    # the paper's eta = 1 breaks Theorem 4.2's step size (spec): said, not certified
    assert pred["assumptions_failed"] == ["thm42_step_size"]
    assert pred["certifies_grokking"] is False
    assert round(pred["t2_lower"]["mean"], 2) == 11982.02        # spec's validation target


def test_ridge_bound_certifies_when_its_assumptions_hold(capsys):
    # eta = 0.2 meets every assumption of Eq. (8) at n = 100, m = 1000 (b^2 ~ 1.3)
    for lam, certifies in (("1e-4", True), ("1e-3", False)):
        flags = ("--eta", "0.2", "--lam", lam, "--seeds", "2")
        bounds = cli(capsys, "ridge", "bounds", *flags)
        assert bounds["t2_lower_eq8"]["assumptions_hold"]
        assert all((v > 0) == certifies for v in bounds["grokking_lower_eq8"]["values"])
        pred = cli(capsys, "predict", "ridge", *flags)
        assert pred["bound"]["assumptions_failed"] == []
        assert pred["bound"]["certifies_grokking"] is certifies
        assert ("Eq. (8) certifies grokking" in pred["summary"]) is certifies
        times = cli(capsys, "ridge", "times", *flags)
        for r, lower in zip(times["runs"], bounds["t2_lower_eq8"]["values"]):
            assert r["t2"] >= lower                   # the certificate holds on the data


def test_ridge_lam_zero_never_generalizes_and_has_no_bound(capsys):
    # without weight decay the null-space part never decays: ridge times says t2 = null
    times = cli(capsys, "ridge", "times", "--lam", "0", "--seeds", "2")
    assert all(r["t2"] is None for r in times["runs"])
    pred = cli(capsys, "predict", "ridge", "--lam", "0", "--seeds", "2")
    assert pred["groks"] is False
    assert "never generalizes" in pred["summary"]
    assert pred["bound"]["t2_lower"] is None        # bounds_report needs lam > 0: said why
    assert "lam = 0" in pred["bound"]["reason"]


def test_ridge_undecidable_times_are_null_with_reason(monkeypatch):
    import theory.ridge
    from validation.predict import predict_ridge

    def undecidable(*args, **kwargs):
        raise ArithmeticError("the limit of the loss equals the threshold to rounding")

    real = theory.ridge.grokking_times

    def undecidable_seed_1(problem, **kwargs):
        if problem.seed == 1:
            raise ArithmeticError("the limit of the loss equals the threshold to rounding")
        return real(problem, **kwargs)

    monkeypatch.setattr(theory.ridge, "grokking_times_many", undecidable)
    monkeypatch.setattr(theory.ridge, "grokking_times", undecidable_seed_1)
    out = predict_ridge(n=10, m=400, seeds=[0, 1])
    assert out["groks"] is None and out["t2"]["seeds"] == [0]
    assert out["runs"][0]["t2"] == real(theory.ridge.sample_problem(10, 400, seed=0), lam=1e-4,
                                        eta=1.0, eps=0.01, c=0.01).t2
    assert "seed 1 is undecidable" in out["groks_reason"]
    assert "undecidable in float64" in out["groks_reason"]


def test_ridge_bad_flag_is_named(capsys):
    err = cli(capsys, "predict", "ridge", "--lam", "-1", expect=2)
    assert "--lam" in err and ">= 0" in err


def test_ridge_is_deterministic_and_stamped(capsys):
    first = cli(capsys, "predict", "ridge", "--seeds", "2")
    assert cli(capsys, "predict", "ridge", "--seeds", "2") == first
    cfg = first["config"]
    assert cfg["command"] == "grokking predict ridge" and cfg["version"] == __version__
    assert cfg["seeds"] == [0, 1] and cfg["parameters"]["lam"] == 1e-4
    assert first["evidence"]["simulation"] is None


# ---------------------------------------------------------------------------- kernel
def test_kernel_critical_point_equals_kernel_critical(capsys):
    crit = cli(capsys, "kernel", "critical")
    pred = cli(capsys, "predict", "kernel", "--sigma2", "0.2")
    assert pred["critical_point"]["sigma2_c"] == crit["sigma2_c"]
    assert pred["critical_point"]["sigma2_spinodal"] == crit["sigma2_spinodal"]


def test_kernel_phase_changes_across_sigma2_c(capsys):
    s_c = cli(capsys, "kernel", "critical")["sigma2_c"]
    below = cli(capsys, "predict", "kernel", "--sigma2", repr(s_c * (1 - 1e-3)))
    above = cli(capsys, "predict", "kernel", "--sigma2", repr(s_c * (1 + 1e-3)))
    assert below["phase"] in ("GMFL-I", "GMFL-II") and below["groks"] is True
    assert above["phase"] == "GFL" and above["groks"] is False
    assert below["distance"]["sigma2_minus_sigma2_c"] < 0 < \
        above["distance"]["sigma2_minus_sigma2_c"]


def test_kernel_regimes_follow_the_critical_point_and_spinodal(capsys):
    crit = cli(capsys, "kernel", "critical")
    s_c, s_sp = crit["sigma2_c"], crit["sigma2_spinodal"]
    assert s_c < s_sp
    mid = cli(capsys, "predict", "kernel", "--sigma2", repr((s_c + s_sp) / 2))
    far = cli(capsys, "predict", "kernel", "--sigma2", repr(s_sp * 1.05))
    assert (mid["phase"], mid["regime"], mid["metastable"]) == ("GFL", "metastable", True)
    assert (far["phase"], far["regime"], far["metastable"]) == ("GFL", "kernel", False)


def test_kernel_samples_needed_is_where_the_noise_becomes_critical(capsys):
    # n_critical, put back into the theory (root-finding in sigma2, not the closed form),
    # must make this noise the critical one
    from theory.adaptive_kernel import ModelAConfig, critical_point

    pred = cli(capsys, "predict", "kernel", "--sigma2", "0.15", "--n", "2000")
    n_c = pred["samples"]["n_critical"]
    cp = critical_point(ModelAConfig(n=n_c), method="root")
    assert cp.sigma2_c == pytest.approx(0.15, rel=1e-8)      # brentq tolerances ~1e-13
    assert (n_c > 2000) == (pred["regime"] != "feature_learning")


def test_kernel_modular_thresholds_equal_kernel_modular(capsys):
    th = cli(capsys, "kernel", "modular")
    s_i, s_ii = th["sigma2_I"], th["sigma2_II"]
    pred = cli(capsys, "predict", "kernel", "--model", "modular", "--sigma2", "0.2")
    for key in ("sigma2_I", "sigma2_II", "sigma2_spinodal"):
        assert pred["thresholds"][key] == th[key]
    phases = [cli(capsys, "predict", "kernel", "--model", "modular", "--sigma2",
                  repr(s))["phase"] for s in (s_ii * 0.98, (s_i + s_ii) / 2, s_i * 1.02)]
    assert phases == ["GMFL-II", "GMFL-I", "GFL"]


def test_kernel_no_transition_is_said(capsys):
    pred = cli(capsys, "predict", "kernel", "--sigma2", "0.1", "--eps", "0")
    assert pred["groks"] is False and pred["distance"] is None
    assert "no first-order transition" in pred["reason"]


@pytest.mark.parametrize("args,flag", [(("--sigma2", "0"), "--sigma2"),
                                       (("--sigma2", "0.2", "--d", "-1"), "--d"),
                                       ((), "--sigma2")])
def test_kernel_bad_input_names_the_flag(capsys, args, flag):
    err = cli(capsys, "predict", "kernel", *args, expect=2)
    assert flag in err


def test_predict_without_verb_is_a_usage_error(capsys):
    err = cli(capsys, "predict", expect=2)
    assert "choose a verb" in err
